using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Evaluation;
using PoetSharp.Models;
using PoetSharp.Potentials;
using static PoetSharp.Models.Expression;

namespace PoetSharp.Bench;

/// <summary>
/// One evaluation (energies, forces, virial stresses) of a model over the DFT_Cu training set (150 structures × 32 atoms,
/// 5 Å taper) from a precomputed <see cref="PairTable"/>, on one core: the generic compiled expression against a
/// hand-written kernel of the same formula, vectorised the same way (the baseline of each category).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ModelBenchmarks
{
    private PairTable _table = null!;
    private ModelEvaluator _gp1 = null!, _suttonChen = null!, _gp1Parallel = null!;
    // Sutton–Chen plus one more term over the same pairs: a plain sum (baseline) or the angular density ang2 of the same g.
    private ModelEvaluator _plusSum = null!, _plusAngular = null!;
    private HandWritten _handWritten = null!;

    internal static Expression Gp1()
    {
        var r = Distance;
        return Sum(Pow(r, 10.21 - 5.47 * r) - Pow(0.21, r)) + 0.97 * Pow(Sum(Pow(0.33, r)), -1.0);
    }

    internal static Expression SuttonChen()
    {
        var r = Distance;
        return Sum(644.6524256943683 * Pow(r, -9.0)) - Pow(Sum(527.6214232433218 * Pow(r, -6.0)), 0.5);
    }

    internal static string DataFolder(params string[] parts)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine([dir.FullName, "data", .. parts]);
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        throw new DirectoryNotFoundException($"data/{string.Join('/', parts)} not found above {Environment.CurrentDirectory}");
    }

    /// <summary>POET's DFT_Cu training set: the 300 K and 1400 K NVT and the 1400 K NPT snapshots (150 structures × 32 atoms).</summary>
    internal static Dataset DftCuTraining() => Dataset.Concat("DFT_Cu training",
        PoetFolder.Read(DataFolder("poet", "DFT_Cu", "NVT_FCC_300K")),
        PoetFolder.Read(DataFolder("poet", "DFT_Cu", "NVT_FCC_1400K")),
        PoetFolder.Read(DataFolder("poet", "DFT_Cu", "NPT_FCC_1400K")));

    [GlobalSetup]
    public void Setup()
    {
        var data = DftCuTraining();
        _table = new PairTable(data.Structures, Taper.Copper);
        _gp1 = new ModelEvaluator(new CompiledModel(Gp1(), Taper.Copper), _table) { MaxDegreeOfParallelism = 1 };
        _gp1Parallel = new ModelEvaluator(new CompiledModel(Gp1(), Taper.Copper), _table);
        _suttonChen = new ModelEvaluator(new CompiledModel(SuttonChen(), Taper.Copper), _table) { MaxDegreeOfParallelism = 1 };
        _handWritten = new HandWritten(_table);
        var g = 50.0 * Pow(Distance, -6.0);
        _plusSum = new ModelEvaluator(new CompiledModel(SuttonChen() + Sum(g), Taper.Copper), _table) { MaxDegreeOfParallelism = 1 };
        _plusAngular = new ModelEvaluator(new CompiledModel(SuttonChen() + Angular(2, g), Taper.Copper), _table) { MaxDegreeOfParallelism = 1 };
        _plusSum.Evaluate(EvaluationOutputs.AllJacobians);
        _plusAngular.Evaluate(EvaluationOutputs.AllJacobians);
        _gp1.Evaluate(EvaluationOutputs.AllJacobians);
        _gp1Parallel.Evaluate();
        _suttonChen.Evaluate();
        _handWritten.Gp1();
        _handWritten.SuttonChen();
        Check(_gp1, _handWritten.Gp1());
        Check(_suttonChen, _handWritten.SuttonChen());
    }

    private void Check(ModelEvaluator generic, double handWrittenTotal)
    {
        generic.Evaluate();
        var total = generic.Energies.Sum();
        if (Math.Abs(total - handWrittenTotal) > 1e-9 * Math.Abs(total))
            throw new InvalidOperationException($"generic {total} and hand-written {handWrittenTotal} disagree");
        for (var i = 0; i < _table.AtomCount; i++)
            if ((generic.Forces[i] - _handWritten.Forces[i]).Length > 1e-9 * (1 + generic.Forces[i].Length))
                throw new InvalidOperationException($"forces on atom {i} disagree");
    }

    [Benchmark(Baseline = true), BenchmarkCategory("GP1")]
    public double Gp1HandWritten() => _handWritten.Gp1();

    [Benchmark, BenchmarkCategory("GP1")]
    public int Gp1Generic() => _gp1.Evaluate();

    [Benchmark, BenchmarkCategory("GP1")]
    public int Gp1GenericWithEnergyJacobian() => _gp1.Evaluate(withEnergyJacobian: true);

    [Benchmark, BenchmarkCategory("GP1")]
    public int Gp1GenericWithForceAndStressJacobian() => _gp1.Evaluate(EvaluationOutputs.ForceAndStressJacobian);

    [Benchmark, BenchmarkCategory("GP1")]
    public int Gp1GenericAllCores() => _gp1Parallel.Evaluate();

    [Benchmark(Baseline = true), BenchmarkCategory("Sutton–Chen")]
    public double SuttonChenHandWritten() => _handWritten.SuttonChen();

    [Benchmark, BenchmarkCategory("Sutton–Chen")]
    public int SuttonChenGeneric() => _suttonChen.Evaluate();

    [Benchmark(Baseline = true), BenchmarkCategory("Angular")]
    public int SuttonChenPlusSum() => _plusSum.Evaluate(withEnergyJacobian: true);

    [Benchmark, BenchmarkCategory("Angular")]
    public int SuttonChenPlusAng2() => _plusAngular.Evaluate(withEnergyJacobian: true);

    [Benchmark, BenchmarkCategory("Angular")]
    public int SuttonChenPlusSumForceAndStressJacobian() => _plusSum.Evaluate(EvaluationOutputs.ForceAndStressJacobian);

    [Benchmark, BenchmarkCategory("Angular")]
    public int SuttonChenPlusAng2ForceAndStressJacobian() => _plusAngular.Evaluate(EvaluationOutputs.ForceAndStressJacobian);
}

/// <summary>
/// GP1 and Sutton–Chen written out by hand over a <see cref="PairTable"/>, with the same batching, span operations and
/// force/virial pass as the generic evaluator: what the compiled expression is measured against.
/// </summary>
internal sealed class HandWritten
{
    private const int Batch = 512;
    private readonly PairTable _t;
    private readonly double[] _s1, _s2, _g1, _g2, _dphi1, _dphi2;
    private readonly double[] _a = new double[Batch], _b = new double[Batch], _c = new double[Batch], _d = new double[Batch], _e = new double[Batch];
    public readonly Vec3[] Forces;
    public readonly double[] AtomEnergies;
    public readonly Stress[] Stresses;

    public HandWritten(PairTable table)
    {
        _t = table;
        _s1 = new double[table.MaxAtomsPerStructure]; _s2 = new double[table.MaxAtomsPerStructure];
        _g1 = new double[table.MaxAtomsPerStructure]; _g2 = new double[table.MaxAtomsPerStructure];
        _dphi1 = new double[table.MaxPairsPerStructure]; _dphi2 = new double[table.MaxPairsPerStructure];
        Forces = new Vec3[table.AtomCount];
        AtomEnergies = new double[table.AtomCount];
        Stresses = new Stress[table.StructureCount];
    }

    public double Gp1()
    {
        double total = 0;
        double ln21 = Math.Log(0.21), ln33 = Math.Log(0.33);
        for (var s = 0; s < _t.StructureCount; s++)
        {
            int p0 = _t.PairOffsets[s], np = _t.PairOffsets[s + 1] - p0, a0 = _t.AtomOffsets[s], na = _t.AtomOffsets[s + 1] - a0;
            Array.Clear(_s1, 0, na); Array.Clear(_s2, 0, na);
            for (var start = 0; start < np; start += Batch)
            {
                var n = Math.Min(Batch, np - start);
                var r = _t.R.AsSpan(p0 + start, n);
                var f = _t.TaperValue.AsSpan(p0 + start, n);
                var df = _t.TaperDerivative.AsSpan(p0 + start, n);
                Span<double> ln = _a.AsSpan(0, n), b = _b.AsSpan(0, n), v = _c.AsSpan(0, n), dv = _d.AsSpan(0, n), w = _e.AsSpan(0, n);
                // r^(10.21 − 5.47 r) = exp(b ln r), d/dr = v (−5.47 ln r + b/r)
                TensorPrimitives.Log(r, ln);
                TensorPrimitives.Multiply(r, -5.47, b);
                TensorPrimitives.Add(b, 10.21, b);
                TensorPrimitives.Multiply(b, ln, w);
                TensorPrimitives.Exp(w, v);
                TensorPrimitives.Divide(b, r, w);
                TensorPrimitives.MultiplyAdd(ln, -5.47, w, w);
                TensorPrimitives.Multiply(v, w, dv);
                // − 0.21^r
                TensorPrimitives.Multiply(r, ln21, w);
                TensorPrimitives.Exp(w, w);
                TensorPrimitives.Subtract(v, w, v);
                TensorPrimitives.MultiplyAdd(w, -ln21, dv, dv);
                // φ1 = g f, dφ1 = g' f + g f'
                var dphi1 = _dphi1.AsSpan(start, n);
                TensorPrimitives.Multiply(dv, f, dphi1);
                TensorPrimitives.MultiplyAdd(v, df, dphi1, dphi1);
                TensorPrimitives.Multiply(v, f, v);
                // φ2 = 0.33^r f
                TensorPrimitives.Multiply(r, ln33, w);
                TensorPrimitives.Exp(w, w);
                var dphi2 = _dphi2.AsSpan(start, n);
                TensorPrimitives.Multiply(w, ln33, dv);
                TensorPrimitives.Multiply(dv, f, dphi2);
                TensorPrimitives.MultiplyAdd(w, df, dphi2, dphi2);
                TensorPrimitives.Multiply(w, f, w);
                var atoms = _t.I.AsSpan(p0 + start, n);
                for (var p = 0; p < n; p++) { _s1[atoms[p]] += v[p]; _s2[atoms[p]] += w[p]; }
            }
            var energy = 0.0;
            for (var i = 0; i < na; i++)
            {
                var inv = 1.0 / _s2[i];
                AtomEnergies[a0 + i] = _s1[i] + 0.97 * inv;
                energy += AtomEnergies[a0 + i];
                _g1[i] = 1.0;
                _g2[i] = -0.97 * inv * inv;
            }
            ForcePass(s, p0, np, a0, na);
            total += energy;
        }
        return total;
    }

    public double SuttonChen()
    {
        const double an = 644.6524256943683, am = 527.6214232433218;
        double total = 0;
        for (var s = 0; s < _t.StructureCount; s++)
        {
            int p0 = _t.PairOffsets[s], np = _t.PairOffsets[s + 1] - p0, a0 = _t.AtomOffsets[s], na = _t.AtomOffsets[s + 1] - a0;
            Array.Clear(_s1, 0, na); Array.Clear(_s2, 0, na);
            for (var start = 0; start < np; start += Batch)
            {
                var n = Math.Min(Batch, np - start);
                var r = _t.R.AsSpan(p0 + start, n);
                var f = _t.TaperValue.AsSpan(p0 + start, n);
                var df = _t.TaperDerivative.AsSpan(p0 + start, n);
                Span<double> x = _a.AsSpan(0, n), x3 = _b.AsSpan(0, n), x6 = _c.AsSpan(0, n), x9 = _d.AsSpan(0, n), w = _e.AsSpan(0, n);
                TensorPrimitives.Divide(1.0, r, x);
                TensorPrimitives.Multiply(x, x, x3);
                TensorPrimitives.Multiply(x3, x, x3);
                TensorPrimitives.Multiply(x3, x3, x6);
                TensorPrimitives.Multiply(x6, x3, x9);
                // φ = A x^k f, dφ = A x^k (f' − k f / r)
                var dphi1 = _dphi1.AsSpan(start, n);
                TensorPrimitives.Multiply(x9, an, x9);
                TensorPrimitives.Multiply(f, x, w);
                TensorPrimitives.MultiplyAdd(w, -9.0, df, dphi1);
                TensorPrimitives.Multiply(dphi1, x9, dphi1);
                TensorPrimitives.Multiply(x9, f, x9);
                var dphi2 = _dphi2.AsSpan(start, n);
                TensorPrimitives.Multiply(x6, am, x6);
                TensorPrimitives.MultiplyAdd(w, -6.0, df, dphi2);
                TensorPrimitives.Multiply(dphi2, x6, dphi2);
                TensorPrimitives.Multiply(x6, f, x6);
                var atoms = _t.I.AsSpan(p0 + start, n);
                for (var p = 0; p < n; p++) { _s1[atoms[p]] += x9[p]; _s2[atoms[p]] += x6[p]; }
            }
            var energy = 0.0;
            for (var i = 0; i < na; i++)
            {
                var sq = Math.Sqrt(_s2[i]);
                AtomEnergies[a0 + i] = _s1[i] - sq;
                energy += AtomEnergies[a0 + i];
                _g1[i] = 1.0;
                _g2[i] = -0.5 / sq;
            }
            ForcePass(s, p0, np, a0, na);
            total += energy;
        }
        return total;
    }

    private void ForcePass(int s, int p0, int np, int a0, int na)
    {
        var forces = Forces.AsSpan(a0, na);
        forces.Clear();
        double xx = 0, yy = 0, zz = 0, yz = 0, xz = 0, xy = 0;
        for (var q = 0; q < np; q++)
        {
            var p = p0 + q;
            var i = _t.I[p];
            var gr = (_g1[i] * _dphi1[q] + _g2[i] * _dphi2[q]) / _t.R[p];
            double dx = _t.Dx[p], dy = _t.Dy[p], dz = _t.Dz[p];
            var fv = new Vec3(gr * dx, gr * dy, gr * dz);
            forces[i] += fv;
            forces[_t.J[p]] -= fv;
            xx += gr * dx * dx; yy += gr * dy * dy; zz += gr * dz * dz;
            yz += gr * dy * dz; xz += gr * dx * dz; xy += gr * dx * dy;
        }
        var cell = _t.Structures[s].Cell;
        Stresses[s] = cell.FullyPeriodic ? (1.0 / cell.Volume) * new Stress(xx, yy, zz, yz, xz, xy) : Stress.Zero;
    }
}
