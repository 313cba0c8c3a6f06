using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Tests.Evaluation;

/// <summary>
/// A test-only pair potential: harmonic springs E = Σ_pairs k (r − r0)² for r &lt; cutoff, for chosen species.
/// Structures named "nan" get a NaN energy, to test how invalid predictions are reported.
/// </summary>
internal sealed class SpringPotential(double k = 0.5, double r0 = 2.5, double cutoff = 3.0, params string[] species) : IPotential
{
    public string Name => "springs";
    public double Cutoff => cutoff;
    public IReadOnlyList<string>? Species => species.Length > 0 ? species : null;

    public void Compute(Structure structure, NeighbourList halfList, PotentialResult result)
    {
        result.Reset(structure.Count);
        var forces = result.Forces;
        var atomEnergies = result.AtomEnergies;
        var positions = structure.Positions;
        var offsets = halfList.Offsets;
        double energy = 0, xx = 0, yy = 0, zz = 0, yz = 0, xz = 0, xy = 0;
        for (var i = 0; i < structure.Count; i++)
        {
            for (var e = offsets[i]; e < offsets[i + 1]; e++)
            {
                var d = halfList.Displacement(positions, i, e);
                var r = d.Length;
                if (r >= cutoff) continue;
                var pair = k * (r - r0) * (r - r0);
                var dEdr = 2 * k * (r - r0);
                energy += pair;
                atomEnergies[i] += 0.5 * pair;
                atomEnergies[halfList.Neighbours[e]] += 0.5 * pair;
                var f = (dEdr / r) * d; // force on the neighbour is −f, on i +f
                forces[i] += f;
                forces[halfList.Neighbours[e]] -= f;
                var s = dEdr / r;
                xx += s * d.X * d.X; yy += s * d.Y * d.Y; zz += s * d.Z * d.Z;
                yz += s * d.Y * d.Z; xz += s * d.X * d.Z; xy += s * d.X * d.Y;
            }
        }
        result.Energy = structure.Name == "nan" ? double.NaN : energy;
        result.SetVirialFromPairSum(new Stress(xx, yy, zz, yz, xz, xy), structure.Cell);
    }
}
