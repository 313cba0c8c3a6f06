using BenchmarkDotNet.Attributes;
using PoetSharp.Atoms;
using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Bench;

/// <summary>
/// The force call of an MD step (LAMMPS's "Pair" time) on 32,000-atom fcc Cu (LAMMPS's bench/in.eam set-up: lattice 3.615,
/// 20×20×20 cubes, 1 Å neighbour skin, slightly rattled): GP1 and Sutton–Chen through the tabulated model path against
/// our Cu_u3 EAM kernel (the baseline, itself 0.8–1.0× LAMMPS's pair_style eam, see bench/md-vs-lammps.sh), in the same
/// process. One core unless the name says otherwise; per atom-step = Mean / 32,000. The cost of an angular density:
/// Sutton–Chen plus 0.5·ang2(r^−6), against the same with the density replaced by a plain sum 0.5·sum(r^−6).
/// </summary>
[MemoryDiagnoser]
public class MdForceBenchmarks
{
    private Structure _structure = null!;
    private Eam _eam = null!;
    private TabulatedModelPotential _gp1 = null!, _gp1Parallel = null!, _suttonChen = null!, _angular = null!, _angularAsSum = null!;
    private readonly NeighbourList _list = new();
    private readonly PotentialResult _result = new();

    [GlobalSetup]
    public void Setup()
    {
        _eam = Eam.FromFile(PotentialFactory.ResolveFile("Cu_u3.eam"));
        _gp1 = new TabulatedModelPotential(ModelBenchmarks.Gp1(), Taper.Copper) { ParallelThreshold = int.MaxValue };
        _gp1Parallel = new TabulatedModelPotential(ModelBenchmarks.Gp1(), Taper.Copper);
        _suttonChen = new TabulatedModelPotential(ExpressionParser.Parse("sum(644.52*r^-9) - 527.62*sum(r^-6)^0.5"), Taper.Copper)
            { ParallelThreshold = int.MaxValue };
        _angular = new TabulatedModelPotential(ExpressionParser.Parse("sum(644.52*r^-9) - 527.62*sum(r^-6)^0.5 + 0.5*ang2(r^-6)"), Taper.Copper)
            { ParallelThreshold = int.MaxValue };
        _angularAsSum = new TabulatedModelPotential(ExpressionParser.Parse("sum(644.52*r^-9) - 527.62*sum(r^-6)^0.5 + 0.5*sum(r^-6)"), Taper.Copper)
            { ParallelThreshold = int.MaxValue };
        _structure = EamBenchmarks.RattledCopper();
        // One list with the larger cutoff (5 Å + 1 Å skin) for all: each kernel filters its own pairs.
        _list.Build(_structure, Math.Max(_eam.Cutoff, _gp1.Cutoff) + 1.0, half: true);
        _eam.Compute(_structure, _list, _result);
    }

    [Benchmark(Baseline = true)]
    public double EamCuU3() { _eam.Compute(_structure, _list, _result); return _result.Energy; }

    [Benchmark]
    public double Gp1Tabulated() { _gp1.Compute(_structure, _list, _result); return _result.Energy; }

    [Benchmark]
    public double SuttonChenTabulated() { _suttonChen.Compute(_structure, _list, _result); return _result.Energy; }

    [Benchmark]
    public double SuttonChenAng2Tabulated() { _angular.Compute(_structure, _list, _result); return _result.Energy; }

    [Benchmark]
    public double SuttonChenPlusSumTabulated() { _angularAsSum.Compute(_structure, _list, _result); return _result.Energy; }

    [Benchmark]
    public double Gp1TabulatedAllCores() { _gp1Parallel.Compute(_structure, _list, _result); return _result.Energy; }
}
