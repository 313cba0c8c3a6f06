using BenchmarkDotNet.Attributes;
using PoetSharp.Atoms;
using PoetSharp.Mtp;
using PoetSharp.Potentials;

namespace PoetSharp.Bench;

/// <summary>
/// Energy, forces and stress of a 4,000-atom rattled fcc Cu cell (10×10×10 cubes at 3.615 Å) with a level-16 MTP
/// (the generated basis: 92 basis functions, 784 moments; cutoff 5 Å, 8 Chebyshev polynomials; coefficients drawn at
/// random, which does not change the work), on one core, beside the EAM baseline Cu_mishin1.eam.alloy (cutoff 5.5 Å)
/// on the same cell in the same process. The ratio MTP/EAM is the cost of the moment tensors; bench/mtp-md-vs-lammps.sh
/// measures the same against LAMMPS in MD. MemoryDiagnoser reports what a call allocates (target: 0 B).
/// </summary>
[MemoryDiagnoser]
public class MtpBenchmarks
{
    private Structure _structure = null!;
    private MtpPotential _mtp = null!;
    private Eam _eam = null!;
    private readonly NeighbourList _mtpList = new(), _eamList = new();
    private readonly PotentialResult _result = new();

    [Params(16)]
    public int Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _structure = Lattices.Fcc("Cu", 3.615, 10, 10, 10);
        var rng = new Random(376847);
        for (var i = 0; i < _structure.Count; i++)
            _structure.Positions[i] += 0.05 * new Vec3(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
        var model = MtpModel.Untrained(Level, ["Cu"], 1.9, 5.0, seed: 3, scaling: 0.02);
        var moments = Enumerable.Range(0, model.Basis.ScalarCount).Select(_ => rng.NextDouble() - 0.5).ToArray();
        _mtp = new MtpPotential(model.WithLinear([-3.0], moments), threads: 1);
        _eam = Potentials.Eam.FromFile(PotentialFactory.ResolveFile("Cu_mishin1.eam.alloy"));
        _mtpList.Build(_structure, _mtp.Cutoff + 1.0, half: true);
        _eamList.Build(_structure, _eam.Cutoff + 1.0, half: true);
        _mtp.Compute(_structure, _mtpList, _result);
    }

    [Benchmark(Baseline = true)]
    public double EamMishin()
    {
        _eam.Compute(_structure, _eamList, _result);
        return _result.Energy;
    }

    [Benchmark]
    public double Mtp()
    {
        _mtp.Compute(_structure, _mtpList, _result);
        return _result.Energy;
    }
}
