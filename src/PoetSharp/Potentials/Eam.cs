using PoetSharp.Atoms;

namespace PoetSharp.Potentials;

/// <summary>Embedded-atom method potentials from LAMMPS files (eam funcfl, eam/alloy setfl, eam/fs).</summary>
public sealed class Eam : IPotential
{
    private Eam() { }
    public static Eam FromFile(string path) => throw new NotImplementedException("being written");
    public string Name => throw new NotImplementedException("being written");
    public double Cutoff => throw new NotImplementedException("being written");
    public IReadOnlyList<string>? Species => throw new NotImplementedException("being written");
    public void Compute(Structure structure, NeighbourList halfList, PotentialResult result) => throw new NotImplementedException("being written");
}
