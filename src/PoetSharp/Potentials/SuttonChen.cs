using PoetSharp.Atoms;

namespace PoetSharp.Potentials;

/// <summary>
/// Sutton–Chen many-body potential: E = ε Σ_i [ ½ Σ_j (a/r_ij)ⁿ f(r_ij) − c √ρ_i ], ρ_i = Σ_j (a/r_ij)ᵐ f(r_ij),
/// with f POET's taper (or a plain truncation at the cutoff when no taper is given).
/// Copper (Sutton &amp; Chen 1990): ε = 0.012382 eV, a = 3.61 Å, c = 39.432, n = 9, m = 6.
/// </summary>
public sealed class SuttonChen : IPotential
{
    public double Epsilon { get; }
    public double A { get; }
    public double C { get; }
    public int N { get; }
    public int M { get; }
    public Taper? Taper { get; }
    public double Cutoff { get; }
    public IReadOnlyList<string>? Species { get; }
    public string Name => $"Sutton–Chen (ε = {Epsilon:G6} eV, a = {A:G6} Å, c = {C:G6}, n = {N}, m = {M}, {(Taper is { } t ? $"taper {t.Inner:G4}–{t.Outer:G4} Å" : $"cutoff {Cutoff:G4} Å")})";

    public SuttonChen(double epsilon, double a, double c, int n, int m, double cutoff, Taper? taper = null, IReadOnlyList<string>? species = null)
    {
        if (!(epsilon > 0) || !(a > 0) || !(c >= 0) || n <= 0 || m <= 0 || !double.IsFinite(epsilon) || !double.IsFinite(a) || !double.IsFinite(c))
            throw new ArgumentException($"Sutton–Chen needs ε > 0, a > 0, c ≥ 0, n > 0, m > 0 (got ε = {epsilon}, a = {a}, c = {c}, n = {n}, m = {m})");
        taper?.Validate();
        Epsilon = epsilon; A = a; C = c; N = n; M = m;
        Taper = taper;
        Cutoff = taper?.Outer ?? cutoff;
        if (!(Cutoff > 0) || !double.IsFinite(Cutoff)) throw new ArgumentException($"cutoff must be positive (got {cutoff})");
        Species = species;
    }

    /// <summary>Copper with POET's taper (r_in = 3 Å, r_out = 5 Å): the potential that generated POET's EAM_Cu data.</summary>
    public static SuttonChen CopperPoet() => new(0.012382, 3.61, 39.432, 9, 6, 5.0, Potentials.Taper.Copper, ["Cu"]);

    /// <summary>Copper with a plain cutoff (no taper).</summary>
    public static SuttonChen Copper(double cutoff) => new(0.012382, 3.61, 39.432, 9, 6, cutoff, null, ["Cu"]);

    // (a/r)^k and its r-derivative, times the taper.
    private (double Value, double Derivative) Term(double r, int power)
    {
        var x = A / r;
        var v = IntPow(x, power);
        var d = -power * v / r;
        if (Taper is { } t)
        {
            var (f, df) = t.Evaluate(r);
            return (v * f, d * f + v * df);
        }
        return (v, d);
    }

    private static double IntPow(double x, int k)
    {
        var result = 1.0;
        var b = x;
        while (k > 0)
        {
            if ((k & 1) != 0) result *= b;
            b *= b;
            k >>= 1;
        }
        return result;
    }

    public void Compute(Structure structure, NeighbourList halfList, PotentialResult result)
    {
        this.CheckSpecies(structure);
        var n = structure.Count;
        result.Reset(n);
        var positions = structure.Positions;
        var offsets = halfList.Offsets;
        var neighbours = halfList.Neighbours;
        var rc2 = Cutoff * Cutoff;
        // Densities first (pass 1), then forces with dE/dρ known (pass 2). The per-atom energies hold ρ meanwhile.
        var rho = result.AtomEnergies;
        for (var i = 0; i < n; i++)
        {
            for (var k = offsets[i]; k < offsets[i + 1]; k++)
            {
                var r2 = halfList.Displacement(positions, i, k).LengthSquared;
                if (r2 >= rc2) continue;
                var g = Term(Math.Sqrt(r2), M).Value;
                rho[i] += g;
                rho[neighbours[k]] += g;
            }
        }
        // Embedding: −εc√ρ; dE/dρ = −εc/(2√ρ). An atom without neighbours has ρ = 0 and no pairs, so its derivative is never used.
        var forces = result.Forces;
        var atomEnergies = result.AtomEnergies;
        double energy = 0;
        var dEdRho = result.Scratch(n);
        for (var i = 0; i < n; i++)
        {
            var sq = Math.Sqrt(rho[i]);
            dEdRho[i] = sq > 0 ? -Epsilon * C / (2 * sq) : 0.0;
            atomEnergies[i] = -Epsilon * C * sq;
            energy += atomEnergies[i];
        }
        var virial = new PairVirial();
        for (var i = 0; i < n; i++)
        {
            for (var k = offsets[i]; k < offsets[i + 1]; k++)
            {
                var d = halfList.Displacement(positions, i, k);
                var r2 = d.LengthSquared;
                if (r2 >= rc2) continue;
                var j = neighbours[k];
                var r = Math.Sqrt(r2);
                var (pair, dpair) = Term(r, N);
                var (_, drho) = Term(r, M);
                // ½ε(a/r)ⁿ counted from both atoms = ε(a/r)ⁿ per pair.
                var phi = Epsilon * pair;
                energy += phi;
                atomEnergies[i] += 0.5 * phi;
                atomEnergies[j] += 0.5 * phi;
                var dEdr = Epsilon * dpair + (dEdRho[i] + dEdRho[j]) * drho;
                var gr = dEdr / r;
                var f = gr * d;
                forces[i] += f;
                forces[j] -= f;
                virial.Add(d, gr);
            }
        }
        result.Energy = energy;
        result.SetVirialFromPairSum(virial.Sum, structure.Cell);
    }
}
