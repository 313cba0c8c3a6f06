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
    /// <summary>The same constants from the cells' stresses alone, when every fitted cell carries one; null otherwise.</summary>
    public StressFit? Stress { get; init; }

    public DataConstant? Constant(string name) => Constants.FirstOrDefault(c => c.Name == name);
}

/// <summary>Constants from the stresses of a family's cells (second Piola–Kirchhoff stress against Lagrangian strain).</summary>
/// <param name="Pressure">The reference cell's pressure (GPa, compression positive).</param>
/// <param name="ResidualGPa">RMS misfit of the stress components (GPa).</param>
public sealed record StressFit(double? Pressure, IReadOnlyList<DataConstant> Constants, double ResidualGPa, IReadOnlyList<string> FittedTerms)
{
    public DataConstant? Constant(string name) => Constants.FirstOrDefault(c => c.Name == name);
}

/// <summary>Limits of <see cref="ElasticFromData.Find"/>.</summary>
/// <param name="MaxForce">Largest force component (eV/Å) of a cell taken as a perfect, unrelaxed-by-symmetry crystal.</param>
/// <param name="MaxStrain">Largest Lagrangian strain component (either sign) fitted; larger strains are counted, not fitted.</param>
/// <param name="FractionalTolerance">How close fractional coordinates must be for two cells to be strains of one crystal.</param>
/// <param name="MinCells">Fewest cells a family needs.</param>
/// <param name="UseStress">Fit the stresses too when every fitted cell carries one.</param>
public sealed record ElasticFromDataOptions(double MaxForce = 0.02, double MaxStrain = 0.03, double FractionalTolerance = 2e-4, int MinCells = 6,
    bool UseStress = true)
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
/// two agree with <see cref="Elastic"/>. Cells that carry stresses get a second, separate fit of the same model to their
/// second Piola–Kirchhoff stresses (<see cref="StrainedCellFamily.Stress"/>).
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

        // Stresses, where every cell carries one, are fitted apart from the energies with the same model: the second
        // Piola–Kirchhoff stress S = J F⁻¹ σ F⁻ᵀ is the derivative of the energy per reference volume in η, six rows per
        // cell, and uniaxial cells then fix C12 through their lateral stress. Apart, because DFT energies and stresses
        // need not agree (basis-set and Pulay errors differ); where they do not, a user should see both.
        var volume = reference.Cell.Volume;
        // Each cell's deformation from the reference, computed once; the cells within the strain limit are fitted.
        var fitted = cells.Select(c => (Cell: c, F: Deformation(reference.Cell, c.Cell)))
            .Select(x => (x.Cell, x.F, Eta: Strain(x.F)))
            .Where(x => MaxAbs(x.Eta) <= options.MaxStrain).ToList();
        if (fitted.Count < 3) return Empty($"{fitted.Count} cells within a strain of {options.MaxStrain}", fitted.Count);
        var withStress = options.UseStress && fitted.All(x => x.Cell.Stress is not null);
        var energyRows = new List<double[]>();
        var energies = new List<double>();
        var stressRows = new List<double[]>();
        var stresses = new List<double>();
        var largest = 0.0;
        foreach (var (c, f, eta) in fitted)
        {
            largest = Math.Max(largest, MaxAbs(eta));
            energyRows.Add(Columns(eta));
            energies.Add(c.Energy!.Value / volume);
            if (!withStress) continue;
            var voigt = c.Stress!.Value.ToVoigt();
            var cauchy = Matrix<double>.Build.DenseOfArray(new[,]
            {
                { voigt[0], voigt[5], voigt[4] }, { voigt[5], voigt[1], voigt[3] }, { voigt[4], voigt[3], voigt[2] },
            });
            var fInverse = f.Inverse();
            var piola = f.Determinant() * fInverse * cauchy * fInverse.Transpose();
            var derivatives = ColumnDerivatives(eta);
            double[] target = [piola[0, 0], piola[1, 1], piola[2, 2], piola[1, 2], piola[0, 2], piola[0, 1]];
            for (var m = 0; m < 6; m++)
            {
                stressRows.Add(derivatives[m]);
                stresses.Add(target[m]);
            }
        }

        var n = energyRows.Count;
        var energyFit = Fit(energyRows, energies, largest, stressRows: false);
        var stressFit = withStress ? Fit(stressRows, stresses, largest, stressRows: true) : null;
        return new StrainedCellFamily(formula, reference, crystal, a, cells.Count, n, options.MaxStrain, energyFit.Pressure, energyFit.Constants,
            Math.Sqrt(energyFit.Rss / n) * volume / reference.Count * 1000, null, energyFit.Terms)
        {
            Stress = stressFit is null ? null
                : new StressFit(stressFit.Pressure, stressFit.Constants, Math.Sqrt(stressFit.Rss / stresses.Count) * Units.GPaPerEvPerA3, stressFit.Terms),
        };
    }

    /// <summary>What one fit gives: the three constants, the reference pressure (GPa), the residual sum of squares and the terms kept.</summary>
    private sealed record FitResult(IReadOnlyList<DataConstant> Constants, double? Pressure, double Rss, string[] Terms);

    /// <summary>
    /// One least-squares fit of the cubic energy model: to energies per reference volume (<paramref name="stressRows"/>
    /// false; the rows are <see cref="Columns"/>) or to second Piola–Kirchhoff stresses (true; the rows are
    /// <see cref="ColumnDerivatives"/>, which carry no energy zero).
    /// </summary>
    private static FitResult Fit(List<double[]> rows, List<double> targets,
        double largest, bool stressRows)
    {
        var p = ParameterNames.Length;
        var dropped = new Dictionary<int, string>();
        var used = new List<int>();
        // A term is measured only where the data strain the crystal that way: its reach, the strain at which its column
        // would be as large as at the most strained cell ((max |column|)^(1/degree) for energies, the derivative's
        // (max |∂column|)^(1/(degree − 1)) for stresses), must be a tenth of the largest strain fitted. Otherwise it could
        // only fit noise: simple shears carry γ²/2 on one diagonal, so C12's energy column is of order γ⁴ there, and
        // fitted anyway C12 came out at 10⁸ GPa and dragged the rest along.
        for (var k = 0; k < p; k++)
        {
            var degree = stressRows ? Degrees[k] - 1 : Degrees[k];
            var largestColumn = rows.Max(r => Math.Abs(r[k]));
            var reach = largestColumn == 0 ? 0 : degree == 0 ? 1 : Math.Pow(largestColumn, 1.0 / degree);
            if (reach >= 0.1 * largest) used.Add(k);
            else dropped[k] = reach == 0 ? "no strain in the data reaches it" : $"the strains in the data barely reach it (to {reach:0.0e0}, against {largest:0.000} for the largest)";
        }
        var y = Vector<double>.Build.DenseOfEnumerable(targets);
        var scale = new double[p];
        for (var k = 0; k < p; k++) scale[k] = Math.Sqrt(rows.Sum(r => r[k] * r[k]));
        double[] values, errors;
        double rss;
        while (true)
        {
            (values, errors, var inNull, rss, _) = Solve(rows, y, used, scale);
            var j = System.Array.IndexOf(inNull, true);
            if (j < 0 || used[j] == 0) break; // the energy zero is always fitted
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
            constants.Add(why is null ? new DataConstant(name, v * Units.GPaPerEvPerA3, e * Units.GPaPerEvPerA3) : new DataConstant(name, null, null, why));
        }
        var sigma = Value("σ0", out _, out var sigmaWhy);
        double? pressure = sigmaWhy is null && sigma is { } sg ? -sg * Units.GPaPerEvPerA3 : null;
        return new FitResult(constants, pressure, rss, used.Select(k => ParameterNames[k]).ToArray());
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
    /// determines, from its energies and (a second line) from its stresses: the target, the data's value and how far apart
    /// they are. Empty when the data hold no such family.
    /// </summary>
    public static IReadOnlyList<string> CompareWithTargets(IReadOnlyList<StrainedCellFamily> families, TargetProperties targets)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(targets);
        var lines = new List<string>();
        foreach (var family in families.Where(f => f.NotEstimated is null && f.Crystal is not null))
        {
            var structure = family.Crystal!.Value.ToString().ToUpperInvariant();
            var sources = new List<(string From, IReadOnlyList<DataConstant> Constants, double? Pressure)> { ("strained cells", family.Constants, family.Pressure) };
            if (family.Stress is { } st) sources.Add(("strained cells' stresses", st.Constants, st.Pressure));
            foreach (var (from, constants, pressure) in sources)
                foreach (var constant in constants.Where(c => c.Determined))
                {
                    if (targets.Find(constant.Name, structure) is not { } target) continue;
                    var relative = (constant.Value!.Value - target.Value) / target.Value;
                    var where = (family.LatticeConstant is { } a ? $"a = {a:0.0000} Å, " : "") + (pressure is { } p ? $"pressure {p:0.00} GPa, " : "") +
                                $"{family.CellsFitted} strained {family.Formula} cells";
                    lines.Add($"target {constant.Name} {target.Value:0.##} GPa; the training data's own {from} give {constant.Value:0.0} ± {constant.StandardError ?? double.NaN:0.0} GPa " +
                              $"({relative:+0.0%;-0.0%}; {where})" +
                              (Math.Abs(relative) > 0.1 ? ": a model faithful to these data will miss this target" : ""));
                }
            if (lines.Count > 0) break;
        }
        return lines;
    }

    /// <summary>Lagrangian strain η = ½(FᵀF − I) taking <paramref name="from"/> to <paramref name="to"/> (rows of the cells are lattice vectors).</summary>
    public static double[,] LagrangianStrain(Cell from, Cell to) => Strain(Deformation(from, to));

    /// <summary>The deformation gradient F with to = F·from (columns of each matrix the lattice vectors).</summary>
    private static Matrix<double> Deformation(Cell from, Cell to)
    {
        var lf = Matrix<double>.Build.DenseOfColumnArrays(Components(from.A), Components(from.B), Components(from.C));
        var lt = Matrix<double>.Build.DenseOfColumnArrays(Components(to.A), Components(to.B), Components(to.C));
        return lt * lf.Inverse();
    }

    private static double[,] Strain(Matrix<double> f)
    {
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

    /// <summary>
    /// The derivatives of <see cref="Columns"/> with respect to η11, η22, η33 and the engineering shears γ4, γ5, γ6 (one
    /// array of the eleven columns per component): the rows of the second Piola–Kirchhoff stress S11 … S12.
    /// </summary>
    private static double[][] ColumnDerivatives(double[,] eta)
    {
        double[] e = [eta[0, 0], eta[1, 1], eta[2, 2]];
        double[] g = [2 * eta[1, 2], 2 * eta[0, 2], 2 * eta[0, 1]];
        var rows = new double[6][];
        var trace = e[0] + e[1] + e[2];
        for (var i = 0; i < 3; i++)
        {
            int j = (i + 1) % 3, k = (i + 2) % 3;
            rows[i] =
            [
                0, 1, e[i], e[j] + e[k], 0,
                e[i] * e[i] / 2,
                e[i] * (e[j] + e[k]) + 0.5 * (e[j] * e[j] + e[k] * e[k]),
                e[j] * e[k],
                0.5 * g[i] * g[i],
                0.5 * (g[j] * g[j] + g[k] * g[k]),
                0,
            ];
            // γ_(i+4): C44 γ, C144 η_ii γ, C155 (tr η − η_ii) γ, C456 the product of the other two shears.
            rows[3 + i] = [0, 0, 0, 0, g[i], 0, 0, 0, e[i] * g[i], (trace - e[i]) * g[i], g[j] * g[k]];
        }
        return rows;
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
