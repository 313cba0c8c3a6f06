using PoetSharp.Atoms;

namespace PoetSharp.Potentials;

/// <summary>
/// Lennard-Jones: E = Σ_pairs φ(r), φ(r) = 4ε[(σ/r)¹² − (σ/r)⁶], truncated at the cutoff, optionally shifted so
/// that φ(cutoff) = 0, or multiplied by POET's taper f(r) (then the cutoff is the taper's outer radius).
/// </summary>
public sealed class LennardJones : IPotential
{
    public double Epsilon { get; }
    public double Sigma { get; }
    public Taper? Taper { get; }
    public bool Shifted { get; }
    public double Cutoff { get; }
    public IReadOnlyList<string>? Species { get; }
    public string Name => $"Lennard-Jones (ε = {Epsilon:G6} eV, σ = {Sigma:G6} Å, cutoff {Cutoff:G4} Å{(Taper is { } t ? $", taper {t.Inner:G4}–{t.Outer:G4} Å" : Shifted ? ", shifted" : "")})";

    private readonly double _shift;

    /// <param name="cutoff">Cutoff in Å (ignored when a taper is given: the taper's outer radius is the cutoff).</param>
    public LennardJones(double epsilon, double sigma, double cutoff, bool shifted = false, Taper? taper = null, IReadOnlyList<string>? species = null)
    {
        if (!(epsilon > 0) || !(sigma > 0) || !double.IsFinite(epsilon) || !double.IsFinite(sigma))
            throw new ArgumentException($"Lennard-Jones needs ε > 0 and σ > 0 (got ε = {epsilon}, σ = {sigma})");
        taper?.Validate();
        Epsilon = epsilon;
        Sigma = sigma;
        Taper = taper;
        Shifted = shifted && taper is null;
        Cutoff = taper?.Outer ?? cutoff;
        if (!(Cutoff > 0) || !double.IsFinite(Cutoff)) throw new ArgumentException($"cutoff must be positive (got {cutoff})");
        Species = species;
        _shift = Shifted ? Bare(Cutoff).Value : 0.0;
    }

    private (double Value, double Derivative) Bare(double r)
    {
        var sr2 = Sigma * Sigma / (r * r);
        var sr6 = sr2 * sr2 * sr2;
        var sr12 = sr6 * sr6;
        return (4 * Epsilon * (sr12 - sr6), 4 * Epsilon * (-12 * sr12 + 6 * sr6) / r);
    }

    /// <summary>The pair energy φ(r) (with shift or taper) and dφ/dr.</summary>
    public (double Value, double Derivative) Pair(double r)
    {
        var (v, d) = Bare(r);
        if (Taper is { } t)
        {
            var (f, df) = t.Evaluate(r);
            return (v * f, d * f + v * df);
        }
        return (v - _shift, d);
    }

    public void Compute(Structure structure, NeighbourList halfList, PotentialResult result)
    {
        this.CheckSpecies(structure);
        var n = structure.Count;
        result.Reset(n);
        var positions = structure.Positions;
        var forces = result.Forces;
        var atomEnergies = result.AtomEnergies;
        var offsets = halfList.Offsets;
        var rc2 = Cutoff * Cutoff;
        double energy = 0;
        var virial = new PairVirial();
        for (var i = 0; i < n; i++)
        {
            for (var k = offsets[i]; k < offsets[i + 1]; k++)
            {
                var d = halfList.Displacement(positions, i, k);
                var r2 = d.LengthSquared;
                if (r2 >= rc2) continue;
                var j = halfList.Neighbours[k];
                var r = Math.Sqrt(r2);
                var (phi, dphi) = Pair(r);
                energy += phi;
                atomEnergies[i] += 0.5 * phi;
                atomEnergies[j] += 0.5 * phi;
                // ∂E/∂r_j = φ'(r) d/r ; force on j is minus that, on i plus.
                var g = dphi / r;
                var f = g * d;
                forces[i] += f;
                forces[j] -= f;
                virial.Add(d, g);
            }
        }
        result.Energy = energy;
        result.SetVirialFromPairSum(virial.Sum, structure.Cell);
    }
}
