using MathNet.Numerics.LinearAlgebra;
using PoetSharp.Atoms;

namespace PoetSharp.Properties;

/// <summary>An elastic constant measured from data (GPa): its value and standard error, or why it is not determined.</summary>
public sealed record DataConstant(string Name, double? Value, double? StandardError, string? NotDetermined = null)
{
    public bool Determined => Value is not null && NotDetermined is null;

    public override string ToString() => Determined
        ? StandardError is { } e ? $"{Name} {Value:0.0} ± {e:0.0} GPa" : $"{Name} {Value:0.0} GPa"
        : $"{Name} not determined ({NotDetermined})";
}

/// <summary>
/// Homogeneously strained copies of one perfect crystal found in a data set, and the cubic elastic constants their
/// energies give.
/// </summary>
/// <param name="Formula">The crystal's composition, e.g. Cu108.</param>
/// <param name="Reference">The cell the strains are measured from: the family's medoid in strain space.</param>
/// <param name="Crystal">fcc, bcc or hcp by common-neighbour analysis of the reference; null when none of them.</param>
/// <param name="LatticeConstant">The cubic lattice constant of the reference (Å) for fcc and bcc; null otherwise.</param>
/// <param name="Cells">Cells of the family (same atoms, same fractional coordinates, forces below the limit).</param>
/// <param name="CellsFitted">Cells within the strain limit of the reference, used in the fit.</param>
/// <param name="Pressure">The reference cell's pressure from the linear term (GPa, compression positive); null when not determined.</param>
/// <param name="Constants">C11, C12, C44: the second derivatives of the energy per reference volume in Lagrangian strain.</param>
/// <param name="ResidualMeVPerAtom">RMS misfit of the energies (meV/atom).</param>
/// <param name="NotEstimated">Why no constants were estimated (e.g. the reference is not cubic in the x, y, z frame); null when they were.</param>
/// <param name="FittedTerms">The terms the final fit kept (E0, σ0, C11, …, C456); the others the strains did not fix.</param>
public sealed record StrainedCellFamily(string Formula, Structure Reference, CrystalStructure? Crystal, double? LatticeConstant,
    int Cells, int CellsFitted, double MaxStrain, double? Pressure, IReadOnlyList<DataConstant> Constants, double ResidualMeVPerAtom,
    string? NotEstimated, IReadOnlyList<string>? FittedTerms = null)
{
    public DataConstant? Constant(string name) => Constants.FirstOrDefault(c => c.Name == name);
}

/// <summary>Limits of <see cref="ElasticFromData.Find"/>.</summary>
/// <param name="MaxForce">Largest force component (eV/Å) of a cell taken as a perfect, unrelaxed-by-symmetry crystal.</param>
/// <param name="MaxStrain">Largest Lagrangian strain component (either sign) fitted; larger strains are counted, not fitted.</param>
/// <param name="FractionalTolerance">How close fractional coordinates must be for two cells to be strains of one crystal.</param>
/// <param name="MinCells">Fewest cells a family needs.</param>
public sealed record ElasticFromDataOptions(double MaxForce = 0.02, double MaxStrain = 0.03, double FractionalTolerance = 2e-4, int MinCells = 6)
{
    public static readonly ElasticFromDataOptions Default = new();
}

/// <summary>
/// What the training data themselves say about the elastic constants. DFT data sets for potentials (Zuo et al.'s mlearn
/// sets, most active-learning sets) hold homogeneously strained copies of the ground-state crystal; their energies fix
/// the curvature of the energy in strain, so C11 and C44 (and C12 when biaxial or volumetric strains are present) can be
/// read off the data without any potential. This tells a user whether target properties from another source agree with
/// the data: a model faithful to its data cannot meet a target the data contradict.
/// <para>
/// The fit: E/V0 = E0/V0 + σ0 tr η + ½ C11 Σ η_ii² + C12 Σ_(i&lt;j) η_ii η_jj + ½ C44 Σ γ² + the six cubic third-order terms
/// (C111 … C456, nuisance parameters; the fourth-order terms left out bias the second-order ones as the strain squared:
/// for tapered Sutton–Chen copper 0.3 % at strains up to 0.5 %, about 1 % at 1–2 %; adding fourth-order terms made it
/// worse, being barely separable from the second-order ones at a few amplitudes), with
/// η = ½(FᵀF − I) the Lagrangian strain from the reference cell, γ = 2η_ij (i ≠ j), cube axes along x, y, z. Linear least
/// squares by SVD on scaled columns; standard errors from the residual. A constant the strains do not reach (for example
/// C12 from uniaxial and shear strains only) is reported as not determined. These are the energy–strain constants of the
/// reference state; at a pressure P the stress–strain constants are C11 − P, C12 + P, C44 − P (Wallace), and at P = 0 the
/// two agree with <see cref="Elastic"/>.
/// </para>
/// </summary>
public static class ElasticFromData
{
    private static readonly string[] ParameterNames = ["E0", "σ0", "C11", "C12", "C44", "C111", "C112", "C123", "C144", "C155", "C456"];
    private static readonly int[] Degrees = [0, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3];

    /// <summary>
    /// The families of strained perfect crystals in <paramref name="structures"/> (fully periodic cells with an energy and
    /// forces all below <see cref="ElasticFromDataOptions.MaxForce"/>, grouped by species order and fractional
    /// coordinates), largest first, each with its cubic constants estimated where it is cubic in the x, y, z frame.
    /// </summary>
    public static IReadOnlyList<StrainedCellFamily> Find(IEnumerable<Structure> structures, ElasticFromDataOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(structures);
        options ??= ElasticFromDataOptions.Default;
        var perfect = structures.Where(s => s.Cell.FullyPeriodic && s.Count > 0 && s.Energy is double e && double.IsFinite(e)
                                            && s.Forces is { } f && MaxComponent(f) <= options.MaxForce).ToList();
        var families = new List<List<Structure>>();
        foreach (var s in perfect)
        {
            var home = families.FirstOrDefault(f => SameCrystal(f[0], s, options.FractionalTolerance));
            if (home is null) families.Add([s]);
            else home.Add(s);
        }
        return families.Where(f => f.Count >= options.MinCells).OrderByDescending(f => f.Count)
            .Select(f => Estimate(f, options)).ToArray();
    }

    /// <summary>The cubic constants of one family of strained cells of one crystal (see <see cref="Find"/>).</summary>
    public static StrainedCellFamily Estimate(IReadOnlyList<Structure> cells, ElasticFromDataOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Count == 0) throw new ArgumentException("no cells to estimate elastic constants from");
        options ??= ElasticFromDataOptions.Default;
        var reference = Medoid(cells);
        var formula = Formula(reference.Species);
        CrystalStructure? crystal = GroundState.Classify(reference);
        double? a = crystal switch
        {
            CrystalStructure.Fcc => Math.Cbrt(4 * reference.Cell.Volume / reference.Count),
            CrystalStructure.Bcc => Math.Cbrt(2 * reference.Cell.Volume / reference.Count),
            _ => null,
        };
        StrainedCellFamily Empty(string why, int fitted = 0) =>
            new(formula, reference, crystal, a, cells.Count, fitted, options.MaxStrain, null, [], double.NaN, why);
        if (!CubicInCartesianFrame(reference))
            return Empty("the reference cell is not cubic with its cube axes along x, y and z");

        var rows = new List<double[]>();
        var energies = new List<double>();
        var largest = 0.0;
        var volume = reference.Cell.Volume;
        foreach (var s in cells)
        {
            var eta = LagrangianStrain(reference.Cell, s.Cell);
            var strain = MaxAbs(eta);
            if (strain > options.MaxStrain) continue;
            largest = Math.Max(largest, strain);
            rows.Add(Columns(eta));
            energies.Add(s.Energy!.Value / volume);
        }
        if (rows.Count < 3) return Empty($"{rows.Count} cells within a strain of {options.MaxStrain}", rows.Count);

        // Scaled columns: strains of 1e-2 make the cubic columns 1e-6 of the intercept; unscaled, the SVD's rank cut would see them as noise.
        var n = rows.Count;
        var p = ParameterNames.Length;
        var scale = new double[p];
        for (var k = 0; k < p; k++) scale[k] = Math.Sqrt(rows.Sum(r => r[k] * r[k]));
        var y = Vector<double>.Build.DenseOfEnumerable(energies);
        var dropped = new Dictionary<int, string>();
        var used = new List<int>();
        // A term is measured only where the data strain the crystal that way: its reach, the strain at which its column
        // would be as large as at the most strained cell ((max |column|)^(1/degree)), must be a tenth of the largest
        // strain fitted. Otherwise it could only fit noise: pure shears, say, carry γ²/8 on the diagonal, so C12's column
        // is γ⁴/64 there and C12 would come out at 10⁸ GPa and drag the rest along.
        for (var k = 0; k < p; k++)
        {
            var reach = Degrees[k] == 0 ? 1 : Math.Pow(rows.Max(r => Math.Abs(r[k])), 1.0 / Degrees[k]);
            if (reach >= 0.1 * largest) used.Add(k);
            else dropped[k] = reach == 0 ? "no strain in the data reaches it" : $"the strains in the data barely reach it (to {reach:0.0e0}, against {largest:0.000} for the largest)";
        }
        double[] values, errors;
        double rss;
        int dof;
        while (true)
        {
            (values, errors, var inNull, rss, dof) = Solve(rows, y, used, scale);
            var j = System.Array.IndexOf(inNull, true, 1);
            if (j < 0) break;
            dropped[used[j]] = "the strains in the data do not separate it from the other terms";
            used.RemoveAt(j);
        }

        double? Value(string name, out double? error, out string? why)
        {
            var k = System.Array.IndexOf(ParameterNames, name);
            var j = used.IndexOf(k);
            error = null;
            why = j < 0 ? dropped[k] : null;
            if (j < 0) return null;
            if (double.IsFinite(errors[j])) error = errors[j];
            return values[j];
        }

        var constants = new List<DataConstant>();
        foreach (var name in new[] { "C11", "C12", "C44" })
        {
            var v = Value(name, out var e, out var why);
            var gpa = v * Units.GPaPerEvPerA3;
            var se = e * Units.GPaPerEvPerA3;
            constants.Add(why is null ? new DataConstant(name, gpa, se) : new DataConstant(name, null, null, why));
        }
        var sigma = Value("σ0", out _, out var sigmaWhy);
        double? pressure = sigmaWhy is null && sigma is { } sg ? -sg * Units.GPaPerEvPerA3 : null;
        var rms = Math.Sqrt(rss / n) * volume / reference.Count * 1000;
        return new StrainedCellFamily(formula, reference, crystal, a, cells.Count, n, options.MaxStrain, pressure, constants, rms, null,
            used.Select(k => ParameterNames[k]).ToArray());
    }

    /// <summary>
    /// Least squares over the columns <paramref name="used"/> (each scaled to unit norm) by SVD: the unscaled values,
    /// their standard errors (NaN without residual degrees of freedom), whether each lies partly in the design's null
    /// space (then not fixed by the data), the residual sum of squares and the degrees of freedom.
    /// </summary>
    private static (double[] Values, double[] Errors, bool[] InNull, double Rss, int Dof) Solve(List<double[]> rows, Vector<double> y, List<int> used, double[] scale)
    {
        var n = rows.Count;
        var design = Matrix<double>.Build.Dense(n, used.Count, (i, j) => rows[i][used[j]] / scale[used[j]]);
        var svd = design.Svd(computeVectors: true);
        var rank = svd.S.Count(v => v > 1e-10 * svd.S[0]);
        var vt = svd.VT;
        var solution = Vector<double>.Build.Dense(used.Count);
        for (var k = 0; k < rank; k++) solution += vt.Row(k) * (svd.U.Column(k).DotProduct(y) / svd.S[k]);
        var residual = y - design * solution;
        var rss = residual.DotProduct(residual);
        var dof = n - rank;
        var variance = dof > 0 ? rss / dof : double.NaN;
        var values = new double[used.Count];
        var errors = new double[used.Count];
        var inNull = new bool[used.Count];
        for (var j = 0; j < used.Count; j++)
        {
            var nullPart = 0.0;
            for (var m = rank; m < used.Count; m++) nullPart += vt[m, j] * vt[m, j];
            inNull[j] = Math.Sqrt(nullPart) > 1e-6;
            var v = 0.0;
            for (var m = 0; m < rank; m++) v += vt[m, j] * vt[m, j] / (svd.S[m] * svd.S[m]);
            values[j] = solution[j] / scale[used[j]];
            errors[j] = Math.Sqrt(variance * v) / scale[used[j]];
        }
        return (values, errors, inNull, rss, dof);
    }

    /// <summary>
    /// One line per target C11, C12 and C44 of <paramref name="targets"/> that the data's largest family of the same crystal
    /// determines: the target, the data's value and how far apart they are. Empty when the data hold no such family.
    /// </summary>
    public static IReadOnlyList<string> CompareWithTargets(IReadOnlyList<StrainedCellFamily> families, TargetProperties targets)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(targets);
        var lines = new List<string>();
        foreach (var family in families.Where(f => f.NotEstimated is null && f.Crystal is not null))
        {
            var structure = family.Crystal!.Value.ToString().ToUpperInvariant();
            foreach (var constant in family.Constants.Where(c => c.Determined))
            {
                if (targets.Find(constant.Name, structure) is not { } target) continue;
                var relative = (constant.Value!.Value - target.Value) / target.Value;
                var where = (family.LatticeConstant is { } a ? $"a = {a:0.0000} Å, " : "") + (family.Pressure is { } p ? $"pressure {p:0.00} GPa, " : "") +
                            $"{family.CellsFitted} strained {family.Formula} cells";
                lines.Add($"target {constant.Name} {target.Value:0.##} GPa; the training data's own strained cells give {constant.Value:0.0} ± {constant.StandardError ?? double.NaN:0.0} GPa " +
                          $"({relative:+0.0%;-0.0%}; {where})" +
                          (Math.Abs(relative) > 0.1 ? ": a model faithful to these data will miss this target" : ""));
            }
            if (lines.Count > 0) break;
        }
        return lines;
    }

    /// <summary>Lagrangian strain η = ½(FᵀF − I) taking <paramref name="from"/> to <paramref name="to"/> (rows of the cells are lattice vectors).</summary>
    public static double[,] LagrangianStrain(Cell from, Cell to)
    {
        // Columns of L are lattice vectors; to = F·from, so F = L_to·L_from⁻¹; the metric FᵀF = L_from⁻ᵀ (L_toᵀ L_to) L_from⁻¹.
        var lf = Matrix<double>.Build.DenseOfColumnArrays(Components(from.A), Components(from.B), Components(from.C));
        var lt = Matrix<double>.Build.DenseOfColumnArrays(Components(to.A), Components(to.B), Components(to.C));
        var f = lt * lf.Inverse();
        var c = f.TransposeThisAndMultiply(f);
        var eta = new double[3, 3];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                eta[i, j] = 0.5 * (c[i, j] - (i == j ? 1 : 0));
        return eta;
    }

    private static double[] Components(Vec3 v) => [v.X, v.Y, v.Z];

    private static double[] Columns(double[,] eta)
    {
        double e1 = eta[0, 0], e2 = eta[1, 1], e3 = eta[2, 2];
        double g4 = 2 * eta[1, 2], g5 = 2 * eta[0, 2], g6 = 2 * eta[0, 1];
        return
        [
            1,
            e1 + e2 + e3,
            0.5 * (e1 * e1 + e2 * e2 + e3 * e3),
            e1 * e2 + e2 * e3 + e3 * e1,
            0.5 * (g4 * g4 + g5 * g5 + g6 * g6),
            (e1 * e1 * e1 + e2 * e2 * e2 + e3 * e3 * e3) / 6,
            0.5 * (e1 * e1 * (e2 + e3) + e2 * e2 * (e1 + e3) + e3 * e3 * (e1 + e2)),
            e1 * e2 * e3,
            0.5 * (e1 * g4 * g4 + e2 * g5 * g5 + e3 * g6 * g6),
            0.5 * (e1 * (g5 * g5 + g6 * g6) + e2 * (g4 * g4 + g6 * g6) + e3 * (g4 * g4 + g5 * g5)),
            g4 * g5 * g6,
        ];
    }

    private static double MaxAbs(double[,] m)
    {
        var max = 0.0;
        foreach (var v in m) max = Math.Max(max, Math.Abs(v));
        return max;
    }

    private static double MaxComponent(Vec3[] forces)
    {
        var max = 0.0;
        foreach (var f in forces) max = Math.Max(max, Math.Max(Math.Abs(f.X), Math.Max(Math.Abs(f.Y), Math.Abs(f.Z))));
        return max;
    }

    /// <summary>Same atoms in the same order at the same fractional coordinates: a homogeneous strain of one another.</summary>
    private static bool SameCrystal(Structure a, Structure b, double tolerance)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
        {
            if (a.Species[i] != b.Species[i]) return false;
            var d = a.Cell.ToFractional(a.Positions[i]) - b.Cell.ToFractional(b.Positions[i]);
            if (Math.Abs(d.X - Math.Round(d.X)) > tolerance || Math.Abs(d.Y - Math.Round(d.Y)) > tolerance || Math.Abs(d.Z - Math.Round(d.Z)) > tolerance)
                return false;
        }
        return true;
    }

    /// <summary>The cell with the least total strain to all others (ties: the lower energy per atom): the centre of a strain set.</summary>
    private static Structure Medoid(IReadOnlyList<Structure> cells)
    {
        Structure? best = null;
        var bestSum = double.PositiveInfinity;
        foreach (var c in cells)
        {
            var sum = 0.0;
            foreach (var o in cells)
            {
                var eta = LagrangianStrain(c.Cell, o.Cell);
                foreach (var v in eta) sum += Math.Abs(v);
            }
            if (sum < bestSum - 1e-12 || (Math.Abs(sum - bestSum) <= 1e-12 && c.EnergyPerAtom < best!.EnergyPerAtom))
            {
                best = c;
                bestSum = sum;
            }
        }
        return best!;
    }

    /// <summary>
    /// Whether the structure maps onto itself under the fourfold rotations about x and z (which generate, with the
    /// threefold about [111] they imply, the cubic rotations): then its energy has cubic symmetry in the x, y, z frame.
    /// </summary>
    public static bool CubicInCartesianFrame(Structure s, double tolerance = 1e-3)
    {
        Func<Vec3, Vec3>[] rotations = [v => new Vec3(-v.Y, v.X, v.Z), v => new Vec3(v.X, -v.Z, v.Y)];
        foreach (var rotate in rotations)
        {
            // The lattice first: each rotated lattice vector an integer combination of the lattice vectors.
            foreach (var vector in new[] { s.Cell.A, s.Cell.B, s.Cell.C })
            {
                var f = s.Cell.ToFractional(rotate(vector));
                if (Math.Abs(f.X - Math.Round(f.X)) > 1e-4 || Math.Abs(f.Y - Math.Round(f.Y)) > 1e-4 || Math.Abs(f.Z - Math.Round(f.Z)) > 1e-4) return false;
            }
            // Then the atoms, rotated about the first atom (enough for monatomic crystals and for those with an atom at a cubic site).
            var origin = s.Positions[0];
            for (var i = 0; i < s.Count; i++)
            {
                var image = origin + rotate(s.Positions[i] - origin);
                var found = false;
                for (var j = 0; j < s.Count && !found; j++)
                {
                    if (s.Species[j] != s.Species[i]) continue;
                    var d = s.Cell.ToFractional(image - s.Positions[j]);
                    var wrapped = s.Cell.ToCartesian(new Vec3(d.X - Math.Round(d.X), d.Y - Math.Round(d.Y), d.Z - Math.Round(d.Z)));
                    found = wrapped.Length < tolerance;
                }
                if (!found) return false;
            }
        }
        return true;
    }

    private static string Formula(IEnumerable<string> species) =>
        string.Concat(species.GroupBy(x => x).Select(g => g.Count() == 1 ? g.Key : g.Key + g.Count()));
}
