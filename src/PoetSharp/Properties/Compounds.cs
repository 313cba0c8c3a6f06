using System.Globalization;
using System.Text.RegularExpressions;
using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Simulation;

namespace PoetSharp.Properties;

/// <summary>
/// An ordered binary compound: a structure type and its two elements. <see cref="A"/> is the first element of the formula
/// (for L1₂ the majority element: A₃B), <see cref="B"/> the second.
/// </summary>
public sealed partial record CompoundSpec(CompoundStructure Structure, string A, string B)
{
    /// <summary>The structure types as written on the command line.</summary>
    public static IReadOnlyList<string> TypeNames { get; } = ["B2", "L12", "L10", "B1"];

    /// <summary>The formula: "NiAl", "Ni3Al".</summary>
    public string Formula => Structure == CompoundStructure.L12 ? $"{A}3{B}" : $"{A}{B}";

    /// <summary>The structure column of the property rows (no spaces, as in TargetProperties_0K.data): "B2_NiAl", "L12_Ni3Al".</summary>
    public string Label => $"{Structure}_{Formula}";

    /// <summary>Atoms of each element per formula unit: A₃B for L1₂, AB otherwise.</summary>
    public (int A, int B) Stoichiometry => Structure == CompoundStructure.L12 ? (3, 1) : (1, 1);

    /// <summary>Mole fractions of A and B.</summary>
    public IReadOnlyList<(string Element, double Fraction)> Composition
    {
        get
        {
            var (na, nb) = Stoichiometry;
            return [(A, (double)na / (na + nb)), (B, (double)nb / (na + nb))];
        }
    }

    /// <summary>The conventional cell at lattice constant a (Å) and, for L1₀, axial ratio c/a.</summary>
    public Structure Cell(double a, double coverA = 1.0) => Lattices.Compound(Structure, A, B, a, coverA);

    public override string ToString() => $"{Structure}:{Formula}";

    /// <summary>
    /// Reads "TYPE:FORMULA": TYPE is B2, L12 (or L1_2, L1₂), L10 (L1_0, L1₀) or B1 (any case); FORMULA names two different
    /// elements in the type's stoichiometry, e.g. B2:NiAl, L12:Ni3Al (or AlNi3), L10:CuAu, B1:NaCl. Throws ArgumentException
    /// with one line saying what is wrong.
    /// </summary>
    public static CompoundSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':');
        if (colon < 0) throw new ArgumentException($"compound '{text}': expected TYPE:FORMULA, e.g. B2:NiAl or L12:Ni3Al (types: {string.Join(", ", TypeNames)})");
        var type = ParseType(text[..colon].Trim(), text);
        var formula = ParseFormula(text[(colon + 1)..].Trim(), text);
        if (formula.Count != 2 || formula[0].Element == formula[1].Element)
            throw new ArgumentException($"compound '{text}': a {type} compound has two different elements, e.g. {Example(type)}");
        var (e1, n1) = formula[0];
        var (e2, n2) = formula[1];
        if (type == CompoundStructure.L12)
        {
            if (n1 == 3 && n2 == 1) return new(type, e1, e2);
            if (n1 == 1 && n2 == 3) return new(type, e2, e1);
            throw new ArgumentException($"compound '{text}': L12 is A3B, e.g. {Example(type)}");
        }
        if (n1 != n2) throw new ArgumentException($"compound '{text}': {type} is AB (1:1), e.g. {Example(type)}");
        return new(type, e1, e2);
    }

    private static string Example(CompoundStructure type) => type switch
    {
        CompoundStructure.B2 => "B2:NiAl",
        CompoundStructure.L12 => "L12:Ni3Al",
        CompoundStructure.L10 => "L10:CuAu",
        _ => "B1:NaCl",
    };

    private static CompoundStructure ParseType(string name, string text) =>
        name.ToUpperInvariant().Replace("_", "").Replace("₂", "2").Replace("₀", "0") switch
        {
            "B2" => CompoundStructure.B2,
            "L12" => CompoundStructure.L12,
            "L10" => CompoundStructure.L10,
            "B1" => CompoundStructure.B1,
            _ => throw new ArgumentException($"compound '{text}': unknown structure type '{name}': choose from {string.Join(", ", TypeNames)}"),
        };

    /// <summary>Element symbols with optional integer counts: "Ni3Al" → (Ni, 3), (Al, 1).</summary>
    private static List<(string Element, int Count)> ParseFormula(string formula, string text)
    {
        var match = FormulaPattern().Match(formula);
        if (!match.Success) throw new ArgumentException($"compound '{text}': cannot read the formula '{formula}' (element symbols with counts, e.g. Ni3Al)");
        var list = new List<(string, int)>();
        var captures = match.Groups["el"].Captures;
        var counts = match.Groups["n"].Captures;
        var countIndex = 0;
        for (var i = 0; i < captures.Count; i++)
        {
            var el = captures[i].Value;
            if (!Elements.IsKnown(el)) throw new ArgumentException($"compound '{text}': '{el}' is not an element symbol");
            // The count belongs to this element when it starts right after its symbol.
            var n = 1;
            if (countIndex < counts.Count && counts[countIndex].Index == captures[i].Index + el.Length)
                n = int.Parse(counts[countIndex++].Value, CultureInfo.InvariantCulture);
            if (n < 1) throw new ArgumentException($"compound '{text}': the count of {el} must be at least 1");
            list.Add((el, n));
        }
        return list;
    }

    [GeneratedRegex(@"^(?:(?<el>[A-Z][a-z]?)(?<n>[0-9]+)?)+$")]
    private static partial Regex FormulaPattern();
}

/// <summary>A random substitutional solid solution: fcc or bcc with the given mole fractions.</summary>
public sealed partial record SolutionSpec(CubicLattice Lattice, IReadOnlyList<(string Element, double Fraction)> Composition)
{
    /// <summary>"Cu0.5Ni0.5".</summary>
    public string Formula => string.Concat(Composition.Select(c => c.Element + c.Fraction.ToString("0.######", CultureInfo.InvariantCulture)));

    /// <summary>The structure column of the property rows: "FCC_Cu0.5Ni0.5".</summary>
    public string Label => $"{Lattice.ToString().ToUpperInvariant()}_{Formula}";

    public override string ToString() => $"{Lattice.ToString().ToLowerInvariant()}:{Formula}";

    /// <summary>
    /// Reads "LATTICE:COMPOSITION": LATTICE is fcc or bcc; COMPOSITION lists at least two different elements each with its mole
    /// fraction in (0, 1), adding up to 1 (e.g. fcc:Cu0.5Ni0.5, bcc:Fe0.8Cr0.2); the last element may omit its fraction and
    /// takes the rest (fcc:Cu0.25Ni). Throws ArgumentException with one line saying what is wrong.
    /// </summary>
    public static SolutionSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':');
        if (colon < 0) throw new ArgumentException($"solution '{text}': expected LATTICE:COMPOSITION, e.g. fcc:Cu0.5Ni0.5");
        var lattice = text[..colon].Trim().ToLowerInvariant() switch
        {
            "fcc" => CubicLattice.Fcc,
            "bcc" => CubicLattice.Bcc,
            var other => throw new ArgumentException($"solution '{text}': unknown lattice '{other}': choose fcc or bcc"),
        };
        var body = text[(colon + 1)..].Trim();
        var match = CompositionPattern().Match(body);
        if (!match.Success) throw new ArgumentException($"solution '{text}': cannot read the composition '{body}' (elements with mole fractions, e.g. Cu0.5Ni0.5)");
        var elements = match.Groups["el"].Captures;
        var fractions = match.Groups["x"].Captures;
        var list = new List<(string Element, double Fraction)>();
        var missing = -1;
        var xi = 0;
        for (var i = 0; i < elements.Count; i++)
        {
            var el = elements[i].Value;
            if (!Elements.IsKnown(el)) throw new ArgumentException($"solution '{text}': '{el}' is not an element symbol");
            if (xi < fractions.Count && fractions[xi].Index == elements[i].Index + el.Length)
                list.Add((el, double.Parse(fractions[xi++].Value, NumberStyles.Float, CultureInfo.InvariantCulture)));
            else
            {
                if (i != elements.Count - 1) throw new ArgumentException($"solution '{text}': only the last element may omit its fraction");
                missing = i;
                list.Add((el, double.NaN));
            }
        }
        if (missing >= 0) list[missing] = (list[missing].Element, 1 - list.Take(missing).Sum(c => c.Fraction));
        return Create(lattice, list, text);
    }

    /// <summary>Checks a composition: at least two different elements, each fraction in (0, 1), adding up to 1 (to 1e-6).</summary>
    public static SolutionSpec Create(CubicLattice lattice, IReadOnlyList<(string Element, double Fraction)> composition, string? text = null)
    {
        ArgumentNullException.ThrowIfNull(composition);
        var what = text is null ? "solution" : $"solution '{text}'";
        if (lattice == CubicLattice.Diamond) throw new ArgumentException($"{what}: a solid solution is fcc or bcc");
        if (composition.Count < 2) throw new ArgumentException($"{what}: a solid solution has at least two elements");
        if (composition.Select(c => c.Element).Distinct().Count() != composition.Count) throw new ArgumentException($"{what}: an element appears twice");
        foreach (var (el, x) in composition)
            if (!(x > 0 && x < 1)) throw new ArgumentException(FormattableString.Invariant($"{what}: the fraction of {el} is {x}; it must lie in (0, 1)"));
        var sum = composition.Sum(c => c.Fraction);
        if (Math.Abs(sum - 1) > 1e-6) throw new ArgumentException(FormattableString.Invariant($"{what}: the fractions add up to {sum}, not 1"));
        return new SolutionSpec(lattice, composition.ToArray());
    }

    [GeneratedRegex(@"^(?:(?<el>[A-Z][a-z]?)(?<x>[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)?)+$")]
    private static partial Regex CompositionPattern();
}

/// <summary>The equilibrium (zero-stress) lattice of a compound. Its atoms sit on sites that symmetry keeps force-free.</summary>
/// <param name="A">Lattice constant a of the conventional cell (Å).</param>
/// <param name="C">Lattice constant c (Å): a for the cubic types.</param>
/// <param name="EnergyPerAtom">eV/atom at (a, c).</param>
/// <param name="VolumePerAtom">Å³/atom.</param>
/// <param name="ResidualStress">Largest stress component left (GPa): the precision of the search.</param>
/// <param name="Evaluations">Energy and stress evaluations used.</param>
public sealed record CompoundLatticeResult(CompoundSpec Compound, double A, double C, double EnergyPerAtom, double VolumePerAtom,
    double ResidualStress, int Evaluations)
{
    public double CoverA => C / A;

    /// <summary>The conventional cell at the equilibrium lattice constants.</summary>
    public Structure Cell() => Compound.Cell(A, CoverA);
}

/// <summary>
/// An element's reference state for formation and mixing energies: its lowest-energy crystal among fcc, bcc and hcp, each at
/// its own equilibrium lattice constants, or the structure the user gave.
/// </summary>
/// <param name="Structure">"FCC", "BCC" or "HCP".</param>
/// <param name="EnergyPerAtom">eV/atom of that crystal.</param>
/// <param name="A">Its lattice constant a (Å).</param>
/// <param name="C">Its c (Å) for hcp, else null.</param>
/// <param name="Given">Whether the structure was given rather than found as the lowest.</param>
/// <param name="Candidates">Each structure tried with its energy per atom, or the reason it has none (e.g. no energy minimum).</param>
public sealed record ElementReference(string Element, string Structure, double EnergyPerAtom, double A, double? C, bool Given,
    IReadOnlyList<(string Structure, double? EnergyPerAtom, string? Error)> Candidates)
{
    /// <summary>How the reference was chosen, for the report.</summary>
    public string Describe()
    {
        var tried = string.Join(", ", Candidates.Select(c => c.EnergyPerAtom is double e
            ? FormattableString.Invariant($"{c.Structure.ToLowerInvariant()} {e:F6}") : $"{c.Structure.ToLowerInvariant()} none ({c.Error})"));
        return Given ? FormattableString.Invariant($"{Element}: given {Structure.ToLowerInvariant()}, {EnergyPerAtom:F6} eV/atom")
                     : FormattableString.Invariant($"{Element}: lowest of {tried} eV/atom is {Structure.ToLowerInvariant()}");
    }
}

/// <summary>The properties of one compound with the potential.</summary>
/// <param name="IsolatedEnergyPerAtom">Σ_A x_A E_isolated(A): the energy per atom of the atoms far apart (eV/atom).</param>
/// <param name="References">The elements' reference states (A first).</param>
/// <param name="Elastic">The elastic constants of the conventional cell with linear internal relaxation (null when not asked for).</param>
public sealed record CompoundResult(CompoundSpec Compound, CompoundLatticeResult Lattice, double IsolatedEnergyPerAtom,
    IReadOnlyList<ElementReference> References, ElasticConstantsResult? Elastic)
{
    /// <summary>Cohesive energy Σ x_A E_isolated(A) − E/N (eV/atom, positive for a bound crystal).</summary>
    public double CohesiveEnergy => IsolatedEnergyPerAtom - Lattice.EnergyPerAtom;

    /// <summary>ΔH_f = E/N − Σ_A x_A E_A(reference) (eV/atom; negative: the compound is lower than the separated elements).</summary>
    public double FormationEnergy => Lattice.EnergyPerAtom - Compound.Composition.Sum(c => c.Fraction * References.First(r => r.Element == c.Element).EnergyPerAtom);

    /// <summary>The rows of the report (names as in TargetProperties_0K.data; structure = <see cref="CompoundSpec.Label"/>) with a line on how each was computed.</summary>
    public IReadOnlyList<(PropertyValue Value, string Details)> Values()
    {
        var label = Compound.Label;
        var cell = Compound.Cell(1.0);
        var setting = FormattableString.Invariant($"{Compound.Structure} {Compound.Formula}, conventional cell of {cell.Count} atoms, zero stress (largest stress left {Lattice.ResidualStress:G2} GPa)");
        var list = new List<(PropertyValue, string)>
        {
            (new("a0", label, Lattice.A, "Å"), setting),
        };
        if (Compound.Structure == CompoundStructure.L10)
        {
            list.Add((new("c0", label, Lattice.C, "Å"), setting));
            list.Add((new("c/a", label, Lattice.CoverA, ""), setting));
        }
        list.Add((new("E0", label, Lattice.EnergyPerAtom, "eV/atom"), setting));
        list.Add((new("Ecoh", label, CohesiveEnergy, "eV/atom"), FormattableString.Invariant($"Σ x E_isolated ({IsolatedEnergyPerAtom:G6} eV/atom) − E0")));
        list.Add((new("dH_f", label, FormationEnergy, "eV/atom"), "E0 − Σ x E(element reference); " + string.Join("; ", References.Select(r => r.Describe()))));
        if (Elastic is { } c)
        {
            var how = FormattableString.Invariant($"stress–strain central differences ±{c.Strain:G2} on the conventional cell, positions relaxed in each strained cell (linear, Γ-point force constants)");
            if (Compound.Structure == CompoundStructure.L10)
            {
                list.Add((new("C11", label, 0.5 * (c[1, 1] + c[2, 2]), "GPa"), how));
                list.Add((new("C12", label, c[1, 2], "GPa"), how));
                list.Add((new("C13", label, 0.5 * (c[1, 3] + c[2, 3]), "GPa"), how));
                list.Add((new("C33", label, c[3, 3], "GPa"), how));
                list.Add((new("C44", label, 0.5 * (c[4, 4] + c[5, 5]), "GPa"), how));
                list.Add((new("C66", label, c[6, 6], "GPa"), how));
            }
            else
            {
                list.Add((new("C11", label, c.C11, "GPa"), how));
                list.Add((new("C12", label, c.C12, "GPa"), how));
                list.Add((new("C44", label, c.C44, "GPa"), how));
            }
            list.Add((new("BVRH", label, c.BulkHill, "GPa"), how));
        }
        return list;
    }
}

/// <summary>One relaxed random solid solution.</summary>
/// <param name="Counts">Atoms of each element (in the order of the composition).</param>
/// <param name="EnergyPerAtom">Relaxed energy (eV/atom).</param>
/// <param name="VolumePerAtom">Relaxed volume (Å³/atom).</param>
/// <param name="MixingEnergy">E/N − Σ (n_A/N) E_A(reference state) (eV/atom).</param>
/// <param name="MixingEnergySameLattice">E/N − Σ (n_A/N) E_A(the solution's lattice, at A's own equilibrium) (eV/atom).</param>
/// <param name="Converged">Whether the relaxation met its tolerances.</param>
/// <param name="Relaxation">How the relaxation ended.</param>
public sealed record SolutionSample(int Seed, int Atoms, IReadOnlyList<int> Counts, double EnergyPerAtom, double VolumePerAtom,
    double MixingEnergy, double MixingEnergySameLattice, bool Converged, string Relaxation);

/// <summary>The energy of mixing of a random solid solution, over several random arrangements.</summary>
/// <param name="Repeats">Conventional cubes per direction of each supercell.</param>
/// <param name="References">The elements' reference states (for <see cref="SolutionSample.MixingEnergy"/>).</param>
/// <param name="SameLattice">Each element in the solution's lattice at its own equilibrium.</param>
public sealed record SolutionResult(SolutionSpec Solution, int Repeats, IReadOnlyList<SolutionSample> Samples,
    IReadOnlyList<ElementReference> References, IReadOnlyList<CubicLatticeResult> SameLattice)
{
    /// <summary>Mean ΔH_mix over the seeds (eV/atom).</summary>
    public double MixingEnergy => Samples.Average(s => s.MixingEnergy);
    /// <summary>Sample standard deviation of ΔH_mix over the seeds (eV/atom; 0 with one seed).</summary>
    public double MixingEnergyStdDev => StdDev(Samples.Select(s => s.MixingEnergy).ToArray());
    public double MixingEnergyMin => Samples.Min(s => s.MixingEnergy);
    public double MixingEnergyMax => Samples.Max(s => s.MixingEnergy);
    /// <summary>Mean ΔH_mix against the elements in the solution's own lattice (eV/atom).</summary>
    public double MixingEnergySameLattice => Samples.Average(s => s.MixingEnergySameLattice);
    public bool Converged => Samples.All(s => s.Converged);
    /// <summary>Mean edge of the conventional cube (Å): (atoms per cube × V/N)^⅓ of the relaxed cells.</summary>
    public double LatticeConstant => Samples.Average(s => Math.Cbrt((Solution.Lattice == CubicLattice.Fcc ? 4 : 2) * s.VolumePerAtom));

    private static double StdDev(double[] x)
    {
        if (x.Length < 2) return 0;
        var mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
    }

    /// <summary>The rows of the report (structure = <see cref="SolutionSpec.Label"/>) with a line on how each was computed.</summary>
    public IReadOnlyList<(PropertyValue Value, string Details)> Values()
    {
        var label = Solution.Label;
        var sites = Samples.Count > 0 ? Samples[0].Atoms : 0;
        var seeds = string.Join(", ", Samples.Select(s => FormattableString.Invariant($"seed {s.Seed}: {s.MixingEnergy:F6}")));
        var setting = FormattableString.Invariant(
            $"{Solution.Lattice.ToString().ToLowerInvariant()} {Repeats}x{Repeats}x{Repeats} cubes ({sites} sites), random occupation with exact counts, positions and cell relaxed to zero stress, mean of {Samples.Count} seeds");
        var refs = string.Join("; ", References.Select(r => r.Describe()));
        return
        [
            (new("a0", label, LatticeConstant, "Å"), setting + "; (atoms per cube × V/N)^(1/3)"),
            (new("E0", label, Samples.Average(s => s.EnergyPerAtom), "eV/atom"), setting),
            (new("dH_mix", label, MixingEnergy, "eV/atom"), $"{setting}; E/N − Σ x E(element reference); {refs}; {seeds}"),
            (new("dH_mix_std", label, MixingEnergyStdDev, "eV/atom"), $"sample standard deviation of dH_mix over {Samples.Count} seeds"),
            (new("dH_mix_min", label, MixingEnergyMin, "eV/atom"), "lowest dH_mix of the seeds"),
            (new("dH_mix_max", label, MixingEnergyMax, "eV/atom"), "highest dH_mix of the seeds"),
            (new("dH_mix_lattice", label, MixingEnergySameLattice, "eV/atom"),
                $"{setting}; against each element in {Solution.Lattice.ToString().ToLowerInvariant()} at its own equilibrium: " +
                string.Join(", ", SameLattice.Select(s => FormattableString.Invariant($"{s.Element} {s.EnergyPerAtom:F6} eV/atom")))),
        ];
    }
}

/// <summary>Settings of <see cref="Compounds.Solution"/>.</summary>
public sealed record SolutionOptions
{
    /// <summary>Random arrangements averaged (seeds FirstSeed, FirstSeed + 1, …).</summary>
    public int Seeds { get; init; } = 3;
    public int FirstSeed { get; init; } = 1;
    /// <summary>Conventional cubes per direction; null: 3 for fcc (108 sites), 4 for bcc (128 sites).</summary>
    public int? Repeats { get; init; }
    /// <summary>The relaxation of each arrangement: positions and the full cell to zero stress (forces 1e-4 eV/Å, stress 1e-6 eV/Å³).</summary>
    public RelaxationSettings Relaxation { get; init; } = new() { Cell = CellRelaxation.Full, ForceTolerance = 1e-4, StressTolerance = 1e-6, MaxSteps = 20000 };
}

/// <summary>
/// Properties of compounds and alloys of a potential with several elements: equilibrium lattices of ordered compounds (B2, L1₂,
/// L1₀, B1), their cohesive and formation energies and elastic constants, and the energy of mixing of random solid solutions.
/// Energies in eV, lengths in Å, stresses in eV/Å³ internally and GPa in results.
/// </summary>
public static class Compounds
{
    /// <summary>Conventional lattice constant per nearest-neighbour distance (at c/a = 1).</summary>
    private static double LatticePerNeighbourDistance(CompoundStructure type) => type switch
    {
        CompoundStructure.B2 => 2 / Math.Sqrt(3),
        CompoundStructure.B1 => 2,
        _ => Math.Sqrt(2),
    };

    /// <summary>
    /// The zero-stress lattice of a compound. Cubic types (B2, L1₂, B1): the energy per atom of the conventional cell is scanned over
    /// nearest-neighbour distances from a quarter of the cutoff (or the potential's shortest distance: <see cref="Bulk.ScanStart"/>) to the cutoff (<see cref="LatticeSearch.ScanPoints"/>) for the bound
    /// basin, then the pressure is solved for zero in it. L1₀: for each c/a, a is solved for zero pressure; c/a is scanned from 0.6
    /// to 1.6 (51 points, or <see cref="LatticeSearch.CoverAPoints"/> if more) and the local energy minimum nearest the cubic c/a = 1
    /// is taken (c/a = 1/√2 is B2 by the Bain path, which may lie lower but is another structure), refined by golden section
    /// between its grid neighbours and polished by solving σzz = σxx. All atoms sit on centres of inversion, so no internal coordinate moves.
    /// Throws InvalidOperationException when the energy has no minimum in the scanned range, ArgumentException when the
    /// potential lacks an element.
    /// </summary>
    public static CompoundLatticeResult EquilibriumLattice(IPotential potential, CompoundSpec compound, LatticeSearch? search = null)
    {
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(compound);
        search ??= LatticeSearch.Converged;
        search.Validate();
        potential.CheckSpecies(compound.Cell(1.0));
        var evaluations = 0;
        var atoms = compound.Cell(1.0).Count;
        PotentialResult At(double a, double q)
        {
            evaluations++;
            return potential.Compute(compound.Cell(a, q));
        }
        var ratio = LatticePerNeighbourDistance(compound.Structure);
        var grid = Roots.Linspace(Bulk.ScanStart(potential) * ratio, potential.Cutoff * ratio, search.ScanPoints);
        var what = $"{compound} with {potential.Name}";
        var best = Roots.InteriorMinimum(grid, a => At(a, 1).Energy, what, out _);
        var a0 = Roots.Bracketed(a => At(a, 1).Stress.Pressure, grid[best - 1], grid[best + 1], search.LengthTolerance);
        var q0 = 1.0;
        if (compound.Structure == CompoundStructure.L10)
        {
            var guess = a0;
            double ZeroPressureA(double q)
            {
                var (lo, hi) = Bulk.Expand(a => At(a, q).Stress.Pressure, guess, 0.01 * guess);
                guess = Roots.Bracketed(a => At(a, q).Stress.Pressure, lo, hi, search.LengthTolerance);
                return guess;
            }
            double EnergyAt(double q) => At(ZeroPressureA(q), q).Energy;
            // c/a = 1/√2 is B2 (the Bain path), which may lie lower: L1₀ is the basin nearest the cubic c/a = 1.
            var ratios = Roots.Linspace(0.6, 1.6, Math.Max(51, search.CoverAPoints));
            var start = guess;
            var energies = ratios.Select(q => { guess = start; return EnergyAt(q); }).ToArray();
            var minima = Roots.LocalMinima(energies);
            if (minima.Count == 0)
                throw new InvalidOperationException(FormattableString.Invariant($"{what} (c/a): no energy minimum inside the scanned range {ratios[0]:G4}–{ratios[^1]:G4}"));
            var qBest = minima.MinBy(i => Math.Abs(ratios[i] - 1));
            guess = ZeroPressureA(ratios[qBest]);
            q0 = Roots.GoldenMinimum(EnergyAt, ratios[qBest - 1], ratios[qBest + 1], 1e-7);
            // Polish: zero deviatoric stress σzz − σxx on a small bracket around the golden-section minimum, when it changes sign there.
            double Deviatoric(double q)
            {
                var s = At(ZeroPressureA(q), q).Stress;
                return s.Zz - s.Xx;
            }
            const double halfWidth = 1e-5;
            if (Math.Sign(Deviatoric(q0 - halfWidth)) != Math.Sign(Deviatoric(q0 + halfWidth)))
                q0 = Roots.Bracketed(Deviatoric, q0 - halfWidth, q0 + halfWidth, search.CoverATolerance);
            a0 = ZeroPressureA(q0);
        }
        var final = At(a0, q0);
        var cell = compound.Cell(a0, q0);
        var stress = final.Stress.ToVoigt().Max(Math.Abs) * Units.GPaPerEvPerA3;
        return new CompoundLatticeResult(compound, a0, q0 * a0, final.Energy / atoms, cell.Cell.Volume / atoms, stress, evaluations);
    }

    /// <summary>
    /// The element's reference state: with <paramref name="structure"/> ("fcc", "bcc" or "hcp") that crystal; otherwise the lowest in
    /// energy per atom of fcc, bcc and hcp, each relaxed (<see cref="Bulk.CubicLatticeConstant"/>, <see cref="Bulk.HcpLatticeConstants"/>).
    /// A crystal with no energy minimum is left out (and named in <see cref="ElementReference.Candidates"/>); throws
    /// InvalidOperationException when none has one.
    /// </summary>
    public static ElementReference GroundState(IPotential potential, string element, string? structure = null, LatticeSearch? search = null)
    {
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(element);
        if (!Elements.IsKnown(element)) throw new ArgumentException($"'{element}' is not an element symbol");
        potential.CheckSpecies(Lattices.FccPrimitive(element, 1.0));
        CrystalStructure? wanted = structure is null ? null : GroundStateStructure(structure);
        var candidates = new List<(string, double?, string?)>();
        var found = new List<(string Structure, double E, double A, double? C)>();
        CubicLatticeResult? fcc = null;
        foreach (var kind in new[] { CrystalStructure.Fcc, CrystalStructure.Bcc, CrystalStructure.Hcp })
        {
            if (wanted != null && kind != wanted) continue;
            var name = kind.ToString().ToUpperInvariant();
            try
            {
                switch (kind)
                {
                    case CrystalStructure.Fcc:
                        fcc = Bulk.CubicLatticeConstant(potential, element, CubicLattice.Fcc, search);
                        found.Add((name, fcc.EnergyPerAtom, fcc.A, null));
                        break;
                    case CrystalStructure.Bcc:
                        var bcc = Bulk.CubicLatticeConstant(potential, element, CubicLattice.Bcc, search);
                        found.Add((name, bcc.EnergyPerAtom, bcc.A, null));
                        break;
                    default:
                        var hcp = Bulk.HcpLatticeConstants(potential, element, search, fcc);
                        found.Add((name, hcp.EnergyPerAtom, hcp.A, hcp.C));
                        break;
                }
                candidates.Add((name, found[^1].E, null));
            }
            catch (InvalidOperationException e)
            {
                candidates.Add((name, null, e.Message));
            }
        }
        if (found.Count == 0)
            throw new InvalidOperationException($"{element} with {potential.Name} has no stable {(wanted is null ? "fcc, bcc or hcp" : wanted.ToString()!.ToLowerInvariant())} crystal: " +
                                                string.Join("; ", candidates.Select(c => c.Item3)));
        var best = found.MinBy(f => f.E);
        return new ElementReference(element, best.Structure, best.E, best.A, best.C, wanted != null, candidates);
    }

    /// <summary>"fcc", "bcc" or "hcp" (any case) as a reference structure; anything else is an ArgumentException.</summary>
    public static CrystalStructure GroundStateStructure(string text) => PoetSharp.Properties.GroundState.Parse(text);

    /// <summary>
    /// Elastic constants of the equilibrium compound: all 21 by stress–strain central differences of ±<paramref name="strain"/> on the
    /// conventional cell, with the atoms relaxed in every strained cell by <see cref="Elastic.LinearInternalRelaxation"/> (sublattices
    /// that are not centres of inversion move under strain; here it also checks that the lattice is an internal minimum).
    /// </summary>
    public static ElasticConstantsResult ElasticConstants(IPotential potential, CompoundLatticeResult lattice, double strain = 1e-4)
    {
        ArgumentNullException.ThrowIfNull(lattice);
        var cell = lattice.Cell();
        return Elastic.Compute(potential, cell, strain, Elastic.LinearInternalRelaxation(potential, cell), lattice.Compound.Label);
    }

    /// <summary>
    /// Everything for one compound: equilibrium lattice, cohesive energy, formation energy against the elements' reference states
    /// (<paramref name="references"/> when given, e.g. shared between compounds; else <see cref="GroundState"/> of each element with
    /// the structure from <paramref name="groundStates"/> if it names one), and, with <paramref name="elastic"/>, the elastic constants.
    /// </summary>
    public static CompoundResult Compute(IPotential potential, CompoundSpec compound, IReadOnlyDictionary<string, ElementReference>? references = null,
        IReadOnlyDictionary<string, string>? groundStates = null, bool elastic = true, double strain = 1e-4, LatticeSearch? search = null)
    {
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(compound);
        potential.CheckSpecies(compound.Cell(1.0));
        var lattice = EquilibriumLattice(potential, compound, search);
        var refs = new[] { compound.A, compound.B }.Select(e => Reference(potential, e, references, groundStates, search)).ToArray();
        var isolated = compound.Composition.Sum(c => c.Fraction * Bulk.IsolatedAtomEnergy(potential, c.Element));
        var constants = elastic ? ElasticConstants(potential, lattice, strain) : null;
        return new CompoundResult(compound, lattice, isolated, refs, constants);
    }

    private static ElementReference Reference(IPotential potential, string element, IReadOnlyDictionary<string, ElementReference>? references,
        IReadOnlyDictionary<string, string>? groundStates, LatticeSearch? search) =>
        references != null && references.TryGetValue(element, out var known) ? known
            : GroundState(potential, element, groundStates != null && groundStates.TryGetValue(element, out var s) ? s : null, search);

    /// <summary>
    /// The energy of mixing of a random solid solution: for each seed a random arrangement (<see cref="Lattices.RandomSolution"/>,
    /// exact counts) on the n×n×n supercell, started at Vegard's lattice constant (the composition-weighted mean of the elements'
    /// own lattice constants in that lattice), positions and cell relaxed to zero stress by <see cref="Relaxation.Run"/>, and
    /// ΔH_mix = E/N − Σ (n_A/N) E_A against the elements' reference states (as for <see cref="Compute"/>) and against the
    /// elements in the same lattice. The seeds run one after another.
    /// </summary>
    public static SolutionResult Solution(IPotential potential, SolutionSpec solution, SolutionOptions? options = null,
        IReadOnlyDictionary<string, ElementReference>? references = null, IReadOnlyDictionary<string, string>? groundStates = null, LatticeSearch? search = null)
    {
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(solution);
        options ??= new SolutionOptions();
        if (options.Seeds < 1) throw new ArgumentException("a solid solution needs at least one seed");
        var repeats = options.Repeats ?? (solution.Lattice == CubicLattice.Fcc ? 3 : 4);
        if (repeats < 1) throw new ArgumentException("the supercell needs at least one cube per direction");
        var elements = solution.Composition.Select(c => c.Element).ToArray();
        potential.CheckSpecies(new Structure(Cell.NonPeriodic(), elements.Select(_ => Vec3.Zero).ToArray(), elements));
        var same = elements.Select(e => Bulk.CubicLatticeConstant(potential, e, solution.Lattice, search)).ToArray();
        var refs = elements.Select(e => Reference(potential, e, references, groundStates, search)).ToArray();
        var vegard = solution.Composition.Select((c, k) => c.Fraction * same[k].A).Sum();
        var samples = new List<SolutionSample>();
        for (var k = 0; k < options.Seeds; k++)
        {
            var seed = options.FirstSeed + k;
            var start = Lattices.RandomSolution(solution.Lattice, vegard, repeats, solution.Composition, seed);
            var relaxed = Relaxation.Run(potential, start, options.Relaxation);
            var n = start.Count;
            var counts = elements.Select(e => start.Species.Count(s => s == e)).ToArray();
            var perAtom = relaxed.Energy / n;
            var mixing = perAtom - elements.Select((e, i) => (double)counts[i] / n * refs[i].EnergyPerAtom).Sum();
            var mixingSame = perAtom - elements.Select((e, i) => (double)counts[i] / n * same[i].EnergyPerAtom).Sum();
            var how = FormattableString.Invariant(
                $"{relaxed.Reason}; {relaxed.Steps} steps, largest force {relaxed.MaxForce:G2} eV/Å, largest stress {relaxed.MaxStress * Units.GPaPerEvPerA3:G2} GPa");
            samples.Add(new SolutionSample(seed, n, counts, perAtom, relaxed.Structure.Cell.Volume / n, mixing, mixingSame, relaxed.Converged, how));
        }
        return new SolutionResult(solution, repeats, samples, refs, same);
    }
}

/// <summary>What <see cref="CompoundSuite.Run"/> computes.</summary>
public sealed record CompoundSuiteOptions
{
    public IReadOnlyList<CompoundSpec> Compounds { get; init; } = [];
    public IReadOnlyList<SolutionSpec> Solutions { get; init; } = [];
    /// <summary>Reference structures ("fcc", "bcc", "hcp") of elements; an element not named gets the lowest of the three.</summary>
    public IReadOnlyDictionary<string, string>? GroundStates { get; init; }
    public SolutionOptions Solution { get; init; } = new();
    /// <summary>Tasks run at once; null: all cores.</summary>
    public int? MaxParallelism { get; init; }
    /// <summary>Called (serialised) with a line as each task finishes.</summary>
    public Action<string>? Progress { get; init; }
}

/// <summary>The compound and solution properties as suite rows (group "compounds" or "solutions"), with the results behind them.</summary>
public sealed record CompoundSuiteResult(IReadOnlyList<SuiteProperty> Properties, IReadOnlyList<ElementReference> References,
    IReadOnlyList<CompoundResult> Compounds, IReadOnlyList<SolutionResult> Solutions, TimeSpan Elapsed);

/// <summary>
/// Runs <see cref="Compounds"/> for a list of compounds and solutions: first every element's reference state (in parallel), then
/// each compound and each solution (in parallel). Bad input (an element the potential lacks, a bad reference structure) throws
/// ArgumentException before anything runs; a compound or solution that cannot be computed (no energy minimum) gives Failed rows
/// with the reason, as the element suite does.
/// </summary>
public static class CompoundSuite
{
    /// <summary>The rows one compound gives (for the Failed rows when it cannot be computed).</summary>
    private static IEnumerable<(string Name, string Unit)> CompoundRows(CompoundSpec c) =>
        c.Structure == CompoundStructure.L10
            ? [("a0", "Å"), ("c0", "Å"), ("c/a", ""), ("E0", "eV/atom"), ("Ecoh", "eV/atom"), ("dH_f", "eV/atom"), ("C11", "GPa"), ("C12", "GPa"), ("C13", "GPa"), ("C33", "GPa"), ("C44", "GPa"), ("C66", "GPa"), ("BVRH", "GPa")]
            : [("a0", "Å"), ("E0", "eV/atom"), ("Ecoh", "eV/atom"), ("dH_f", "eV/atom"), ("C11", "GPa"), ("C12", "GPa"), ("C44", "GPa"), ("BVRH", "GPa")];

    private static readonly (string Name, string Unit)[] SolutionRows =
        [("a0", "Å"), ("E0", "eV/atom"), ("dH_mix", "eV/atom"), ("dH_mix_std", "eV/atom"), ("dH_mix_min", "eV/atom"), ("dH_mix_max", "eV/atom"), ("dH_mix_lattice", "eV/atom")];

    /// <summary>Checks, before any computation, that the potential has every element named and that the reference structures are known; throws ArgumentException.</summary>
    public static void Validate(IPotential potential, CompoundSuiteOptions options)
    {
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var c in options.Compounds) potential.CheckSpecies(c.Cell(1.0));
        foreach (var s in options.Solutions)
            potential.CheckSpecies(new Structure(Cell.NonPeriodic(), s.Composition.Select(_ => Vec3.Zero).ToArray(), s.Composition.Select(x => x.Element).ToArray()));
        foreach (var (element, structure) in options.GroundStates ?? new Dictionary<string, string>())
        {
            if (!Elements.IsKnown(element)) throw new ArgumentException($"'{element}' is not an element symbol");
            potential.CheckSpecies(Lattices.FccPrimitive(element, 1.0));
            Compounds.GroundStateStructure(structure);
        }
    }

    public static CompoundSuiteResult Run(IPotential potential, CompoundSuiteOptions options)
    {
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxParallelism is < 1) throw new ArgumentException("the parallelism must be at least 1");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Validate(potential, options);
        var elements = options.Compounds.SelectMany(c => new[] { c.A, c.B }).Concat(options.Solutions.SelectMany(s => s.Composition.Select(x => x.Element))).Distinct().ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism ?? Environment.ProcessorCount };
        var progressLock = new object();
        void Report(string line)
        {
            lock (progressLock) options.Progress?.Invoke(line);
        }
        static string Why(Exception e) => e is InvalidOperationException or ArgumentException or ArithmeticException ? e.Message : $"{e.GetType().Name}: {e.Message}";

        var references = new ElementReference?[elements.Length];
        var referenceErrors = new string?[elements.Length];
        Parallel.For(0, elements.Length, parallel, i =>
        {
            try
            {
                var given = options.GroundStates != null && options.GroundStates.TryGetValue(elements[i], out var s) ? s : null;
                references[i] = Compounds.GroundState(potential, elements[i], given);
                Report($"reference state of {elements[i]}: {references[i]!.Describe()}");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                referenceErrors[i] = Why(e);
                Report($"reference state of {elements[i]}: could not be computed: {referenceErrors[i]}");
            }
        });
        var known = new Dictionary<string, ElementReference>();
        for (var i = 0; i < elements.Length; i++) if (references[i] is { } r) known[elements[i]] = r;
        string? MissingReference(IEnumerable<string> needed)
        {
            var missing = needed.Select(e => Array.IndexOf(elements, e)).Where(i => references[i] is null).ToList();
            return missing.Count == 0 ? null : "no reference state: " + string.Join("; ", missing.Select(i => $"{elements[i]}: {referenceErrors[i]}"));
        }

        var tasks = options.Compounds.Cast<object>().Concat(options.Solutions).ToArray();
        var results = new object?[tasks.Length];
        var errors = new string?[tasks.Length];
        Parallel.For(0, tasks.Length, parallel, t =>
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var name = tasks[t].ToString()!;
            try
            {
                if (tasks[t] is CompoundSpec c)
                    results[t] = MissingReference([c.A, c.B]) is { } why ? throw new InvalidOperationException(why) : Compounds.Compute(potential, c, known);
                else
                {
                    var s = (SolutionSpec)tasks[t];
                    results[t] = MissingReference(s.Composition.Select(x => x.Element)) is { } why ? throw new InvalidOperationException(why)
                        : Compounds.Solution(potential, s, options.Solution, known);
                }
                Report(FormattableString.Invariant($"{name}: ok ({watch.Elapsed.TotalSeconds:F2} s)"));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors[t] = Why(e);
                Report(FormattableString.Invariant($"{name}: could not be computed: {errors[t]} ({watch.Elapsed.TotalSeconds:F2} s)"));
            }
        });

        var properties = new List<SuiteProperty>();
        for (var t = 0; t < tasks.Length; t++)
        {
            var (group, label, rows) = tasks[t] is CompoundSpec c ? ("compounds", c.Label, CompoundRows(c).ToArray()) : ("solutions", ((SolutionSpec)tasks[t]).Label, SolutionRows);
            switch (results[t])
            {
                case CompoundResult cr:
                    properties.AddRange(cr.Values().Select(v => SuiteProperty.Ok(group, v.Value, v.Details)));
                    break;
                case SolutionResult sr:
                    var status = sr.Converged ? PropertyStatus.Ok : PropertyStatus.NotConverged;
                    var unconverged = string.Join("; ", sr.Samples.Where(s => !s.Converged).Select(s => $"seed {s.Seed}: {s.Relaxation}"));
                    properties.AddRange(sr.Values().Select(v =>
                    {
                        var p = SuiteProperty.Ok(group, v.Value, v.Details);
                        return p.IsOk && status != PropertyStatus.Ok ? p with { Status = status, Reason = "a relaxation did not converge: " + unconverged } : p;
                    }));
                    break;
                default:
                    properties.AddRange(rows.Select(r => new SuiteProperty(group, r.Name, label, null, r.Unit, PropertyStatus.Failed, "could not be computed: " + errors[t])));
                    break;
            }
        }
        return new CompoundSuiteResult(properties, references.Where(r => r != null).ToArray()!, results.OfType<CompoundResult>().ToArray(),
            results.OfType<SolutionResult>().ToArray(), clock.Elapsed);
    }
}
