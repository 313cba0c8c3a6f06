using PoetSharp.Atoms;

namespace PoetSharp.Data;

/// <summary>Extended XYZ files as ASE reads and writes them.</summary>
public static class ExtendedXyz
{
    public static Dataset Read(string path) => throw new NotImplementedException("being written");
    public static void Write(string path, IEnumerable<Structure> structures) => throw new NotImplementedException("being written");
}
