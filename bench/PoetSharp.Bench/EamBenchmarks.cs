using BenchmarkDotNet.Attributes;
using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Bench;

/// <summary>
/// Energy and forces of 32,000-atom fcc Cu with Cu_u3.eam (the set-up of LAMMPS's bench/in.eam: lattice fcc 3.615,
/// 20×20×20 cubes, neighbour skin 1 Å), on one core. bench/eam-vs-lammps.sh runs LAMMPS on the same system in the
/// same script and prints the ratio. Per atom-step = Mean / 32,000.
/// </summary>
[MemoryDiagnoser]
public class EamBenchmarks
{
    private Structure _structure = null!;
    private Eam _eam = null!;
    private readonly NeighbourList _list = new();
    private readonly PotentialResult _result = new();

    [GlobalSetup]
    public void Setup()
    {
        _eam = Eam.FromFile(PotentialFactory.ResolveFile("Cu_u3.eam"));
        _structure = RattledCopper();
        _list.Build(_structure, _eam.Cutoff + 1.0, half: true);
        _eam.Compute(_structure, _list, _result);
    }

    /// <summary>
    /// LAMMPS's bench/in.eam crystal, 32,000 atoms of fcc Cu at 3.615 Å, each atom moved by up to ±0.025 Å: a
    /// thermal-like configuration, as in LAMMPS's run, so that the list is not perfectly regular.
    /// </summary>
    internal static Structure RattledCopper()
    {
        var structure = Lattices.Fcc("Cu", 3.615, 20, 20, 20);
        var rng = new Random(376847);
        for (var i = 0; i < structure.Count; i++)
            structure.Positions[i] += 0.05 * new Vec3(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
        return structure;
    }

    /// <summary>One force evaluation (LAMMPS's "Pair" time per step).</summary>
    [Benchmark]
    public double EnergyAndForces()
    {
        _eam.Compute(_structure, _list, _result);
        return _result.Energy;
    }

    /// <summary>One half-list build with a 1 Å skin (LAMMPS's "Neigh" time, which it pays every ~10–20 steps).</summary>
    [Benchmark]
    public int NeighbourListBuild()
    {
        _list.Build(_structure, _eam.Cutoff + 1.0, half: true);
        return _list.PairCount;
    }
}
