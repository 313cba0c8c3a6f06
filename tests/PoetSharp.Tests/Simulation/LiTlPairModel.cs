using System.Globalization;
using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Tests.Simulation;

/// <summary>
/// A made-up two-element test system for vacancy hops: B2 (CsCl-type) LiTl, Li on the cube corners and Tl at the body
/// centres, with a Lennard-Jones pair per element pair, φ_AB(r) = 4ε_AB[(σ_AB/r)¹² − (σ_AB/r)⁶], times POET's taper.
/// Written as a species-resolved POET model (each atom carries half of each of its pairs), so it runs through the same
/// ModelPotential path as any fitted model. POET's taper is exactly CHARMM's switching function, so LAMMPS's
/// lj/charmm/coul/charmm (no charges) computes the same potential analytically with the same ε, σ and radii.
/// </summary>
internal static class LiTlPairModel
{
    public const double TaperInner = 4.5;
    public const double Cutoff = 5.5;

    /// <summary>(ε eV, σ Å) for Li–Li, Li–Tl and Tl–Tl.</summary>
    public static readonly (double Epsilon, double Sigma) LiLi = (0.02, 2.9), LiTl = (0.06, 2.55), TlTl = (0.03, 3.1);

    /// <summary>The cubic lattice constant used by the tests (Å), near this potential's B2 equilibrium.</summary>
    public const double LatticeConstant = 3.3;

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    // Half of the pair per atom: 2ε σ¹² r⁻¹² − 2ε σ⁶ r⁻⁶.
    private static string Half((double Epsilon, double Sigma) p) =>
        $"{F(2 * p.Epsilon * Math.Pow(p.Sigma, 12))}*r^-12 - {F(2 * p.Epsilon * Math.Pow(p.Sigma, 6))}*r^-6";

    public static string Expression =>
        $"at[Li](sum[Li]({Half(LiLi)}) + sum[Tl]({Half(LiTl)})) + at[Tl](sum[Li]({Half(LiTl)}) + sum[Tl]({Half(TlTl)}))";

    public static IPotential Potential() => PotentialFactory.CreateModel(Expression, new Taper(TaperInner, Cutoff));

    /// <summary>An n×n×n supercell of the conventional B2 cube (2n³ atoms, Li first in every cube).</summary>
    public static Structure Crystal(int n, double a = LatticeConstant) => Lattices.Supercell(Lattices.B2("Li", "Tl", a), n, n, n);

    /// <summary>Index of the atom at <paramref name="position"/> (periodic), or −1.</summary>
    public static int AtomAt(Structure s, Vec3 position) =>
        Array.FindIndex(s.Positions, p =>
        {
            var d = s.Cell.ToFractional(p - position);
            return s.Cell.ToCartesian(new Vec3(d.X - Math.Round(d.X), d.Y - Math.Round(d.Y), d.Z - Math.Round(d.Z))).Length < 1e-6;
        });
}
