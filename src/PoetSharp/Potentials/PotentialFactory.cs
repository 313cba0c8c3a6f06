namespace PoetSharp.Potentials;

/// <summary>Creates a potential from a command-line specification.</summary>
public static class PotentialFactory
{
    public const string Help = "being written";
    public static IPotential Create(string spec) => throw new NotImplementedException("being written");
}
