using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Search;

/// <summary>
/// Rediscovery of a two-element potential: the Rafii-Tabar–Sutton alloy form of Sutton–Chen for copper–nickel under
/// POET's 3–5 Å taper, which labels data/alloy/CuNi_RTS (made by its script, make_cuni_rts.py):
/// E_i = ½ Σ_j ε_ij (a_ij/r)^9 f − ε_i c_i √(Σ_j (a_j/r)^6 f), ε_ij = √(ε_i ε_j), a_ij = (a_i + a_j)/2
/// (Sutton & Chen, Philos. Mag. Lett. 61, 139 (1990); Rafii-Tabar & Sutton, ibid. 63, 217 (1991)).
/// In the syntax: one term per element, at[A](sum[Cu](P_ACu·r^-9) + sum[Ni](P_ANi·r^-9) − (sum[Cu](Q_ACu·r^-6) + sum[Ni](Q_ANi·r^-6))^0.5).
/// <para>
/// A model is the true one when it gives the same energies (up to one reference energy per element) and forces as the
/// true model on varied Cu–Ni cells (<see cref="Check"/>): the potential itself, whatever algebra writes it and however
/// it splits each pair's energy between the pair's two atoms.
/// </para>
/// </summary>
public static class AlloyRecovery
{
    private static readonly Dictionary<string, (double Epsilon, double A, double C)> Parameters = new()
    {
        ["Cu"] = (1.2382e-2, 3.61, 39.432),
        ["Ni"] = (1.5707e-2, 3.52, 39.432),
    };

    public static readonly string[] Elements = ["Cu", "Ni"];

    /// <summary>½ ε_ab a_ab^9: the coefficient of r^-9 in the energy of an a atom for a b neighbour.</summary>
    public static double PairConstant(string a, string b)
    {
        var (ea, aa, _) = Parameters[a];
        var (eb, ab, _) = Parameters[b];
        return 0.5 * Math.Sqrt(ea * eb) * Math.Pow(0.5 * (aa + ab), 9);
    }

    /// <summary>(ε_a c_a)² a_b^6: the embedding of an a atom written as √(Σ_j Q_ab r^-6 f).</summary>
    public static double DensityConstant(string a, string b)
    {
        var (ea, _, ca) = Parameters[a];
        var (_, ab, _) = Parameters[b];
        return Math.Pow(ea * ca, 2) * Math.Pow(ab, 6);
    }

    /// <summary>The true model.</summary>
    public static Expression TrueModel { get; } = Expression.PerElement(Elements.Select(a =>
    {
        Expression Power(string b, double c, double k) => Expression.Sum(Expression.Constant(c) * Expression.Pow(Expression.Distance, k), b);
        var pair = Power("Cu", PairConstant(a, "Cu"), -9) + Power("Ni", PairConstant(a, "Ni"), -9);
        var density = Power("Cu", DensityConstant(a, "Cu"), -6) + Power("Ni", DensityConstant(a, "Ni"), -6);
        return (a, pair - Expression.Pow(density, 0.5));
    }).ToArray());

    public static string TrueForm => ExpressionPrinter.Print(TrueModel);

    /// <summary>
    /// Cells for the check, deterministic: rattled random Cu–Ni fcc solid solutions (2×2×2 cubes, 32 atoms) over the
    /// whole composition range and lattice constants 3.45–3.70 Å, with a random strain.
    /// </summary>
    public static IReadOnlyList<Atoms.Structure> Cells(int count = 24)
    {
        var random = new Random(20261205);
        var cells = new List<Atoms.Structure>();
        for (var k = 0; k < count; k++)
        {
            var nickel = (k + 0.5) / count;
            var a = 3.45 + 0.25 * random.NextDouble();
            var s = Atoms.Lattices.RandomSolution(Atoms.CubicLattice.Fcc, a, 2, [("Cu", 1 - nickel), ("Ni", nickel)], 100 + k);
            var strain = new double[3, 3];
            for (var i = 0; i < 3; i++)
                for (var j = 0; j <= i; j++) strain[i, j] = strain[j, i] = 0.03 * (2 * random.NextDouble() - 1);
            Atoms.Vec3 Deform(Atoms.Vec3 v) => new(
                v.X + strain[0, 0] * v.X + strain[0, 1] * v.Y + strain[0, 2] * v.Z,
                v.Y + strain[1, 0] * v.X + strain[1, 1] * v.Y + strain[1, 2] * v.Z,
                v.Z + strain[2, 0] * v.X + strain[2, 1] * v.Y + strain[2, 2] * v.Z);
            var cell = new Atoms.Cell(Deform(s.Cell.A), Deform(s.Cell.B), Deform(s.Cell.C));
            var positions = s.Positions.Select(p => Deform(p) + 0.1 * new Atoms.Vec3(random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble() - 0.5)).ToArray();
            cells.Add(new Atoms.Structure(cell, positions, s.Species.ToArray(), $"check cell {k}"));
        }
        return cells;
    }

    /// <summary>
    /// Whether a model is the true potential: the same energies of the check cells (<see cref="Cells"/>), up to one
    /// reference energy per element fitted as everywhere else (<see cref="Evaluation.ElementEnergies"/>), RMS difference at
    /// most 1e-4 of the energies' spread, and the same forces, RMS difference at most 1e-4 of the forces' RMS. These are
    /// what data determine: how a model splits a pair's energy between its two atoms (p_AB against p_BA) is not, so two
    /// models that differ only in that split are the same potential.
    /// </summary>
    public static RecoveryVerdict Check(Expression model, Taper taper)
    {
        var cells = Cells();
        var truth = new Potentials.ModelPotential(TrueModel, taper, Elements);
        Potentials.ModelPotential candidate;
        try { candidate = new Potentials.ModelPotential(model, taper, Elements); }
        catch (ArgumentException e) { return new RecoveryVerdict(false, $"not a model of Cu and Ni: {e.Message}"); }
        var differences = new double[cells.Count];
        var trueEnergies = new double[cells.Count];
        double forceError = 0, forceScale = 0;
        var values = 0;
        for (var k = 0; k < cells.Count; k++)
        {
            var t = truth.Compute(cells[k]);
            var m = candidate.Compute(cells[k]);
            if (!double.IsFinite(m.Energy)) return new RecoveryVerdict(false, "the model is not finite on a check cell");
            trueEnergies[k] = t.Energy / cells[k].Count;
            differences[k] = (t.Energy - m.Energy) / cells[k].Count;
            for (var i = 0; i < cells[k].Count; i++)
            {
                if (!m.Forces[i].IsFinite) return new RecoveryVerdict(false, "the model's forces are not finite on a check cell");
                forceError += (m.Forces[i] - t.Forces[i]).LengthSquared;
                forceScale += t.Forces[i].LengthSquared;
                values += 3;
            }
        }
        var reference = Evaluation.ElementEnergies.Fit(cells, differences, cells.Select(_ => 1.0).ToArray());
        double residual = 0, spread = 0, mean = trueEnergies.Average();
        for (var k = 0; k < cells.Count; k++)
        {
            residual += Math.Pow(differences[k] - reference.ShiftOf(cells[k]), 2);
            spread += Math.Pow(trueEnergies[k] - mean, 2);
        }
        var energyMisfit = Math.Sqrt(residual / spread);
        var forceMisfit = Math.Sqrt(forceError / forceScale);
        var found = energyMisfit <= 1e-4 && forceMisfit <= 1e-4;
        return new RecoveryVerdict(found, FormattableString.Invariant(
            $"on {cells.Count} Cu–Ni cells the energies differ from the true model's by {energyMisfit:G2} of their spread (after per-element references {reference}) and the forces by {forceMisfit:G2} of their RMS; found when both ≤ 1e-4"));
    }
}
