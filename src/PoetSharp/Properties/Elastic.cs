using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Properties;

/// <summary>
/// The elastic stiffness tensor in Voigt notation (GPa; indices 1–6 = xx yy zz yz xz xy, shear strains as engineering strains),
/// symmetrised; with the cubic averages and the Voigt, Reuss and Hill bulk and shear moduli.
/// </summary>
/// <param name="C">The 6×6 stiffness matrix (GPa), C[i, j] = ∂σ_i/∂ε_j symmetrised.</param>
/// <param name="Strain">The strain magnitude of the central differences.</param>
/// <param name="MaxAsymmetry">Largest |C_ij − C_ji| before symmetrising (GPa): a check on the differences.</param>
/// <param name="InternalRelaxation">Whether positions were relaxed in every strained cell.</param>
public sealed record ElasticConstantsResult(string StructureName, double[,] C, double Strain, double MaxAsymmetry, bool InternalRelaxation)
{
    /// <summary>Component C_ij with 1-based Voigt indices, as usually written (C11, C44, …).</summary>
    public double this[int i, int j] => C[i - 1, j - 1];

    /// <summary>Cubic C11: the mean of C11, C22, C33 (GPa).</summary>
    public double C11 => (C[0, 0] + C[1, 1] + C[2, 2]) / 3;
    /// <summary>Cubic C12: the mean of C12, C13, C23 (GPa).</summary>
    public double C12 => (C[0, 1] + C[0, 2] + C[1, 2]) / 3;
    /// <summary>Cubic C44: the mean of C44, C55, C66 (GPa).</summary>
    public double C44 => (C[3, 3] + C[4, 4] + C[5, 5]) / 3;

    public double BulkVoigt => (C[0, 0] + C[1, 1] + C[2, 2] + 2 * (C[0, 1] + C[0, 2] + C[1, 2])) / 9;
    public double ShearVoigt => (C[0, 0] + C[1, 1] + C[2, 2] - (C[0, 1] + C[0, 2] + C[1, 2]) + 3 * (C[3, 3] + C[4, 4] + C[5, 5])) / 15;

    public double BulkReuss
    {
        get
        {
            var s = Compliance();
            return 1 / (s[0, 0] + s[1, 1] + s[2, 2] + 2 * (s[0, 1] + s[0, 2] + s[1, 2]));
        }
    }

    public double ShearReuss
    {
        get
        {
            var s = Compliance();
            return 15 / (4 * (s[0, 0] + s[1, 1] + s[2, 2]) - 4 * (s[0, 1] + s[0, 2] + s[1, 2]) + 3 * (s[3, 3] + s[4, 4] + s[5, 5]));
        }
    }

    /// <summary>Voigt–Reuss–Hill bulk modulus (GPa), TargetProperties_0K.data's BVRH.</summary>
    public double BulkHill => 0.5 * (BulkVoigt + BulkReuss);
    public double ShearHill => 0.5 * (ShearVoigt + ShearReuss);

    /// <summary>The compliance S = C⁻¹ (1/GPa).</summary>
    public double[,] Compliance() => MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(C).Inverse().ToArray();

    /// <summary>The 21 independent components (C11 … C66) and BVRH, labelled with the structure.</summary>
    public IReadOnlyList<PropertyValue> Values()
    {
        var list = new List<PropertyValue>();
        for (var i = 0; i < 6; i++)
            for (var j = i; j < 6; j++)
                list.Add(new($"C{i + 1}{j + 1}", StructureName, C[i, j], "GPa"));
        list.Add(new("BVRH", StructureName, BulkHill, "GPa"));
        return list;
    }
}

/// <summary>Elastic constants by stress–strain central differences.</summary>
public static class Elastic
{
    /// <summary>
    /// All 21 elastic constants of a (relaxed, stress-free) periodic structure: for each Voigt strain component j the cell and
    /// positions are deformed homogeneously by ε_j = ±<paramref name="strain"/> (a symmetric deformation gradient I + ε),
    /// positions are relaxed by <paramref name="relaxPositions"/> when given (needed for crystals whose atoms are not all
    /// centres of inversion, e.g. hcp or diamond; not for monatomic Bravais lattices), and
    /// C_ij = (σ_i(+) − σ_i(−)) / (2 strain). The matrix is symmetrised; <see cref="ElasticConstantsResult.MaxAsymmetry"/> says by how much.
    /// </summary>
    public static ElasticConstantsResult Compute(IPotential potential, Structure equilibrium, double strain = 1e-4,
        Func<Structure, Structure>? relaxPositions = null, string structureName = "")
    {
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(equilibrium);
        if (!equilibrium.Cell.FullyPeriodic) throw new ArgumentException("elastic constants need a fully periodic structure");
        if (!(strain > 0 && strain < 0.05)) throw new ArgumentException("the strain must lie in (0, 0.05)");
        potential.CheckSpecies(equilibrium);
        var raw = new double[6, 6];
        for (var j = 0; j < 6; j++)
        {
            var plus = StressAt(potential, Strained(equilibrium, j, strain), relaxPositions);
            var minus = StressAt(potential, Strained(equilibrium, j, -strain), relaxPositions);
            for (var i = 0; i < 6; i++) raw[i, j] = (plus[i] - minus[i]) / (2 * strain) * Units.GPaPerEvPerA3;
        }
        var c = new double[6, 6];
        var asymmetry = 0.0;
        for (var i = 0; i < 6; i++)
            for (var j = 0; j < 6; j++)
            {
                c[i, j] = 0.5 * (raw[i, j] + raw[j, i]);
                asymmetry = Math.Max(asymmetry, Math.Abs(raw[i, j] - raw[j, i]));
            }
        return new ElasticConstantsResult(structureName.Length > 0 ? structureName : equilibrium.Name, c, strain, asymmetry, relaxPositions != null);
    }

    /// <summary>Elastic constants of a cubic crystal at its own equilibrium lattice constant (primitive cell; no internal relaxation needed for fcc and bcc).</summary>
    public static ElasticConstantsResult Cubic(IPotential potential, string element, CubicLattice lattice = CubicLattice.Fcc, double strain = 1e-4,
        Func<Structure, Structure>? relaxPositions = null)
    {
        var crystal = Bulk.CubicLatticeConstant(potential, element, lattice);
        if (lattice == CubicLattice.Diamond && relaxPositions == null)
            throw new ArgumentException("diamond's elastic constants need relaxed internal coordinates: pass relaxPositions");
        return Compute(potential, crystal.Primitive(), strain, relaxPositions, crystal.Label);
    }

    /// <summary>
    /// Internal relaxation for <see cref="Compute"/>'s <c>relaxPositions</c> that costs one force computation per strained
    /// cell: a Newton step u = K⁻¹ f with K the Γ-point force constants of the unstrained <paramref name="equilibrium"/>
    /// (central differences of ±<paramref name="displacement"/> Å, atom 0 held fixed to remove the translations) and f the
    /// forces in the strained cell. The forces are linear in the strain, so this gives the relaxed-ion elastic constants
    /// to the same first order as the strain differences themselves, while a FIRE relaxation to the 1e-7 eV/Å these
    /// small strains need takes hundreds of steps per cell. Throws InvalidOperationException when K is not positive
    /// definite: then some internal displacement lowers the energy, and the structure is not at an internal minimum.
    /// For a one-atom cell there is nothing to relax and the structure is returned unchanged.
    /// </summary>
    public static Func<Structure, Structure> LinearInternalRelaxation(IPotential potential, Structure equilibrium, double displacement = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(equilibrium);
        var n = equilibrium.Count;
        if (n < 2) return s => s;
        var fc = Phonons.ComputeForceConstants(potential, equilibrium, 1, 1, 1, displacement, acousticSumRule: true);
        var m = 3 * (n - 1);
        var k = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(m, m);
        for (var i = 1; i < n; i++)
            for (var j = 1; j < n; j++)
                for (var a = 0; a < 3; a++)
                    for (var b = 0; b < 3; b++)
                        k[3 * (i - 1) + a, 3 * (j - 1) + b] = 0.5 * (fc[i, j, a, b] + fc[j, i, b, a]);
        var lowest = k.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Min(e => e.Real);
        if (!(lowest > 0))
            throw new InvalidOperationException(FormattableString.Invariant(
                $"an internal displacement of {equilibrium.Name} lowers the energy (lowest Γ-point force constant {lowest:G3} eV/Å²): not at an internal minimum"));
        var cholesky = k.Cholesky();
        return strained =>
        {
            var forces = potential.Compute(strained).Forces;
            var f = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(m);
            for (var i = 1; i < n; i++)
                for (var a = 0; a < 3; a++) f[3 * (i - 1) + a] = forces[i][a];
            var u = cholesky.Solve(f);
            var relaxed = strained.Clone();
            for (var i = 1; i < n; i++) relaxed.Positions[i] += new Vec3(u[3 * (i - 1)], u[3 * (i - 1) + 1], u[3 * (i - 1) + 2]);
            return relaxed;
        };
    }

    /// <summary>The structure under the homogeneous symmetric strain with Voigt component <paramref name="voigt"/> (0–5) equal to <paramref name="amount"/> (engineering shear).</summary>
    public static Structure Strained(Structure s, int voigt, double amount)
    {
        var e = new double[6];
        e[voigt] = amount;
        return Strained(s, e);
    }

    /// <summary>The structure under the homogeneous symmetric strain given by its Voigt vector (xx yy zz yz xz xy; shear as engineering strains).</summary>
    public static Structure Strained(Structure s, ReadOnlySpan<double> voigt)
    {
        double[] f =
        [
            1 + voigt[0], 0.5 * voigt[5], 0.5 * voigt[4],
            0.5 * voigt[5], 1 + voigt[1], 0.5 * voigt[3],
            0.5 * voigt[4], 0.5 * voigt[3], 1 + voigt[2],
        ];
        var strained = s.Clone();
        strained.Cell = s.Cell.Transform(f);
        for (var i = 0; i < s.Count; i++)
        {
            var r = s.Positions[i];
            strained.Positions[i] = new Vec3(r.X * f[0] + r.Y * f[3] + r.Z * f[6], r.X * f[1] + r.Y * f[4] + r.Z * f[7], r.X * f[2] + r.Y * f[5] + r.Z * f[8]);
        }
        strained.Energy = null;
        strained.Forces = null;
        strained.Stress = null;
        return strained;
    }

    private static double[] StressAt(IPotential potential, Structure s, Func<Structure, Structure>? relax) =>
        potential.Compute(relax?.Invoke(s) ?? s).Stress.ToVoigt();
}
