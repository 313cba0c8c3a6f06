using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Simulation;

namespace PoetSharp.Cli;

/// <summary>`poet barrier`: the climbing-image NEB barrier of one vacancy hop in a crystal read from a file.</summary>
internal static class BarrierCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliOutput output, CliServices services)
    {
        var potentialOptions = new PotentialOptions();
        var structureFile = new Option<string>("--structure", "-s")
        {
            Required = true, HelpName = "FILE",
            Description = "The crystal: the last structure in this file (" + DataFiles.ReadableFormats + "). Its cell is kept fixed.",
        };
        var hop = new Option<string>("--hop")
        {
            Required = true, HelpName = "I,J",
            Description = "Atom I hops into the site of atom J, which is removed first (the vacancy). Atom numbers count from 1, " +
                          "in the order of the structure file; I and J must be of the same element. The hop takes the shortest periodic path.",
        };
        var images = new Option<int>("--images") { HelpName = "N", DefaultValueFactory = _ => 7, Description = "Intermediate images of the band." };
        var spring = new Option<double>("--spring") { HelpName = "eV/Å²", DefaultValueFactory = _ => 1.0, Description = "Spring constant between neighbouring images (eV/Å²)." };
        var fmax = new Option<double>("--fmax")
        {
            HelpName = "eV/Å", DefaultValueFactory = _ => 0.01,
            Description = "Converged when no atom of any image feels a force above this perpendicular to the band (on the climbing image: " +
                          "its whole force, with the component along the band inverted) (eV/Å).",
        };
        var interpolation = new Option<string>("--interpolation")
        {
            HelpName = "linear|idpp", DefaultValueFactory = _ => "linear",
            Description = "The starting band: straight lines between the relaxed endpoints, or IDPP (image-dependent pair potential: pair distances " +
                          "interpolated, for endpoints that differ in more atoms than the hopping one).",
        };
        var maxSteps = new Option<int>("--max-steps") { HelpName = "N", DefaultValueFactory = _ => 3000, Description = "Band updates allowed." };
        var outDir = new Option<string>("--out", "-o") { HelpName = "DIR", Description = "Write barrier.json and the energy profile (barrier.png, barrier.svg) here." };
        var crystalOptions = new CrystalOptions();
        var gradeData = new Option<string[]>("--grade-data")
        {
            HelpName = "PATH", Arity = ArgumentArity.OneOrMore,
            Description = "The --model's training data (a model file: MTP or closed form): every image of the band gets its extrapolation grade γ " +
                          "against the MaxVol active set of this data (as poet learn and poet select grade), so that a band that leaves the data is seen.",
        };
        var gradeBy = new Option<string>("--grade-by")
        {
            HelpName = "configuration|neighbourhood", DefaultValueFactory = _ => "neighbourhood",
            Description = "With --grade-data: one row per atomic neighbourhood (the default: a hop changes a few atoms of a large cell) or per configuration.",
        };

        var command = new Command("barrier",
            "The barrier of a vacancy hop by climbing-image NEB: atom I hops into the vacant site of atom J (same element), both endpoints " +
            "relaxed at fixed cell; prints the forward and backward barriers and the energy along the band.");
        potentialOptions.AddTo(command);
        potentialOptions.AddValidator(command);
        foreach (var o in new Option[] { structureFile, hop, images, spring, fmax, maxSteps, interpolation, outDir, gradeData, gradeBy }) command.Options.Add(o);
        crystalOptions.AddTo(command);
        command.SetAction(parsed =>
        {
            var path = parsed.GetValue(structureFile)!;
            var (crystal, prepared) = crystalOptions.Read(parsed, services, path);
            var (from, to) = ParseHop(parsed.GetValue(hop)!, crystal);
            var settings = Settings(parsed.GetValue(images), parsed.GetValue(spring), parsed.GetValue(fmax), parsed.GetValue(maxSteps)) with
            {
                Interpolation = ParseInterpolation(parsed.GetValue(interpolation)!),
            };
            var potential = potentialOptions.Create(parsed, services, output);
            var grader = Grader(parsed, potentialOptions, services, crystal, parsed.GetValue(gradeData), parsed.GetValue(gradeBy)!, output);
            // The sites' equivalence is a check on the result where spglib is there; without it the barrier still runs.
            double? symprec = Symmetry.Spglib.WhyUnavailable() is null ? parsed.GetValue(crystalOptions.Symprec) : null;
            if (symprec is null) output.Warning("spglib is not available: the symmetry of the two sites is not checked (Debian: apt-get install libsymspg-dev)");

            var composition = string.Join(", ", crystal.Species.GroupBy(s => s).Select(g => $"{g.Key} {g.Count()}"));
            output.Line($"{potential.Name}; {path}: {crystal.Count} atoms ({composition}){prepared}; cell fixed");
            var result = VacancyHopBarrier.Run(potential, crystal, from, to, settings, symprec);
            var band = result.Band;
            output.Line(FormattableString.Invariant(
                $"hop: {result.Species} atom {from + 1} into the vacant site of atom {to + 1}, {result.HopDistance:F4} Å (minimum image)"));
            if (result.EquivalentSites is { } equivalent)
                output.Line(FormattableString.Invariant(
                    $"sites: {(equivalent ? "equivalent" : "not equivalent")} in the relaxed crystal's space group {result.SpaceGroup} (symprec {result.SymmetryTolerance:G3} Å){(equivalent ? ": the barrier must be the same both ways" : "")}"));
            output.Line(FormattableString.Invariant(
                $"band: {settings.IntermediateImages} intermediate images ({settings.Interpolation.ToString().ToLowerInvariant()} start), spring {settings.SpringConstant:G6} eV/Å², fmax {settings.ForceTolerance:G6} eV/Å"));
            output.Line($"converged: {(band.Converged ? "yes" : "no")} ({band.Reason})");
            var moved = VacancyHopBarrier.EndpointDisplacements(result);
            var hopper = VacancyHopBarrier.HopperIndex(result);
            var others = VacancyHopBarrier.MovingWithHopper(result, ConcertedDisplacement);
            var largest = moved.Where((_, i) => i != hopper).DefaultIfEmpty(0).Max();
            output.Line(FormattableString.Invariant($"endpoints: the hopping atom moves {moved[hopper]:F3} Å; ") + (others.Length == 0
                ? FormattableString.Invariant($"no other atom more than {ConcertedDisplacement:G2} Å (largest {largest:F3} Å)")
                : FormattableString.Invariant($"{others.Length} other atom(s) more than {ConcertedDisplacement:G2} Å (largest {largest:F3} Å, {crystal.Species[others[0]]} atom {others[0] + 1}): the hop carries them along")));
            output.Line(FormattableString.Invariant($"forward barrier:  {result.ForwardBarrier:F6} eV"));
            output.Line(FormattableString.Invariant($"backward barrier: {result.BackwardBarrier:F6} eV"));
            output.Line(FormattableString.Invariant($"final − initial:  {result.FinalEnergy - result.InitialEnergy:F6} eV"));
            var grades = grader?.Invoke(band.Images);
            var table = grades is null
                ? CliOutput.NewTable(1, "image", "reaction coordinate (Å)", "E − E_initial (eV)")
                : CliOutput.NewTable(1, "image", "reaction coordinate (Å)", "E − E_initial (eV)", "grade γ");
            for (var m = 0; m < band.Energies.Length; m++)
            {
                string[] cells = [Label(m, band), band.PathLength[m].ToString("F4", Inv), (band.Energies[m] - result.InitialEnergy).ToString("F6", Inv)];
                CliOutput.AddRow(table, grades is null ? cells : [.. cells, grades[m].ToString("G4", Inv)]);
            }
            output.Console.Write(table);
            if (grades is not null && grades.Max() > BreakGrade)
            {
                var worst = Array.IndexOf(grades, grades.Max());
                output.Warning(FormattableString.Invariant(
                    $"image {worst} grades γ = {grades[worst]:G4} (above {BreakGrade:G3}, where poet learn stops to retrain): along this band the model is outside its training data, and its barrier is an extrapolation"));
            }
            if (!band.Converged) output.Warning("the band did not converge; the barriers are those of its last state");
            if (result.EquivalentSites == true && Math.Abs(result.FinalEnergy - result.InitialEnergy) > VacancyHopBarrier.EquivalentEndpointTolerance)
                output.Warning(FormattableString.Invariant(
                    $"the two sites are equivalent but their relaxed vacancies differ by {result.FinalEnergy - result.InitialEnergy:F4} eV: one endpoint relaxed into another minimum; start from an exactly symmetric crystal (--symmetrize)"));

            if (parsed.GetValue(outDir) is { } dir)
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "barrier.json"), JsonSerializer.Serialize(Report(potential.Name, path, crystal, result, settings, grades, moved, others.Length), MdCommands.JsonOptions));
                Plot(result, Path.Combine(dir, "barrier.png"));
                Plot(result, Path.Combine(dir, "barrier.svg"));
                // The band itself, endpoints included, in the order of the profile: to look at the path (ASE, OVITO),
                // or at where a failed band went.
                var images = band.Images.Select((image, m) =>
                {
                    var copy = image.Clone();
                    copy.Energy = band.Energies[m];
                    copy.Name = $"image {m}";
                    return copy;
                });
                services.WriteData(Path.Combine(dir, "band.xyz"), new Dataset(images, path));
                output.Line($"wrote {Path.Combine(dir, "barrier.json")}, barrier.png, barrier.svg, band.xyz");
            }
            return PoetCli.Success;
        });
        return command;
    }

    /// <summary>"I,J" with atom numbers from 1, as 0-based indices; wrong numbers are named as the user wrote them.</summary>
    internal static (int From, int To) ParseHop(string text, Structure crystal, string option = "--hop")
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.Integer, Inv, out var i) || !int.TryParse(parts[1], NumberStyles.Integer, Inv, out var j))
            throw new ArgumentException($"{option} '{text}': expected two atom numbers I,J counted from 1 as in the structure file (atom I hops into the site of atom J), e.g. {option} 2,1");
        var n = crystal.Count;
        if (i < 1 || i > n || j < 1 || j > n)
            throw new ArgumentException($"{option} {text}: atom numbers count from 1 and the structure has {n} atoms");
        if (i == j) throw new ArgumentException($"{option} {text}: an atom cannot hop into its own site");
        // Checked here too so that the message uses the user's numbering (the library's counts from 0).
        if (crystal.Species[i - 1] != crystal.Species[j - 1])
            throw new ArgumentException($"{option} {text}: atom {i} is {crystal.Species[i - 1]} but atom {j} is {crystal.Species[j - 1]}; a vacancy hop moves an atom onto a site of its own element");
        return (i - 1, j - 1);
    }

    internal static BandInterpolation ParseInterpolation(string text) => text.Trim().ToLowerInvariant() switch
    {
        "linear" => BandInterpolation.Linear,
        "idpp" => BandInterpolation.Idpp,
        _ => throw new ArgumentException($"--interpolation '{text}': expected linear or idpp"),
    };

    internal static NebSettings Settings(int images, double spring, double fmax, int maxSteps)
    {
        if (images < 1) throw new ArgumentException($"--images {images}: the band needs at least one intermediate image");
        if (!(spring > 0) || !double.IsFinite(spring)) throw new ArgumentException($"--spring {spring.ToString(Inv)}: expected a positive spring constant in eV/Å²");
        if (!(fmax > 0) || !double.IsFinite(fmax)) throw new ArgumentException($"--fmax {fmax.ToString(Inv)}: expected a positive force in eV/Å");
        if (maxSteps < 1) throw new ArgumentException($"--max-steps {maxSteps}: expected at least one step");
        var defaults = new NebSettings();
        return defaults with
        {
            IntermediateImages = images, SpringConstant = spring, ForceTolerance = fmax, MaxSteps = maxSteps,
            // The endpoints are relaxed at least as tightly as the band, so that their energies do not limit the barriers.
            EndpointRelaxation = defaults.EndpointRelaxation with { ForceTolerance = Math.Min(defaults.EndpointRelaxation.ForceTolerance, fmax) },
        };
    }

    /// <summary>Displacement between the relaxed endpoints (Å) beyond which an atom other than the hopper is said to move with it.</summary>
    internal const double ConcertedDisplacement = 0.5;

    /// <summary>The grade above which poet learn stops MD to retrain (MLIP's default break threshold).</summary>
    internal const double BreakGrade = 10;

    /// <summary>
    /// With --grade-data: a function grading images against the active set of the model's training data (built once,
    /// here, before the band runs, so that a wrong file fails first); null without it.
    /// </summary>
    private static Func<IReadOnlyList<Structure>, double[]>? Grader(ParseResult parsed, PotentialOptions potentialOptions, CliServices services,
        Structure crystal, string[]? data, string gradeBy, CliOutput output)
    {
        if (data is not { Length: > 0 }) return null;
        // The model as a file: a model .json (--model) or an MLIP .mtp (--potential or --model).
        var modelPath = parsed.GetValue(potentialOptions.Model) ?? parsed.GetValue(potentialOptions.Potential);
        if (modelPath is null || !File.Exists(modelPath) || !(modelPath.EndsWith(".mtp", StringComparison.OrdinalIgnoreCase) || modelPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
            throw new ArgumentException("--grade-data grades against a model's own training data: give the model as a file (an MLIP .mtp or a model .json)");
        var mode = LearnCommand.ParseGradeMode(gradeBy);
        var training = data.SelectMany(p => services.ReadData(p).Structures).ToArray();
        if (training.Length == 0) throw new ArgumentException("--grade-data holds no structures");
        var elements = services.TypeMap()?.ToArray() ?? PoetSharp.Evaluation.ElementEnergies.ElementsOf(training.Append(crystal)).ToArray();
        var features = Learning.ExtrapolationFeatures.For(LearnCommand.ReadModel(modelPath, elements), mode);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var set = features.BuildActiveSet(training);
        output.Line($"grades: by {mode.ToString().ToLowerInvariant()} against the active set of {CliOutput.Plural(training.Length, "training structure", "training structures")} ({clock.Elapsed.TotalSeconds:0.#} s)");
        return images => images.Select(image => features.Grade(set, image)).ToArray();
    }

    private static string Label(int m, NebResult band) =>
        m == 0 ? "0 initial" : m == band.Energies.Length - 1 ? $"{m} final" : m == band.ClimbingImage ? $"{m} climbing" : m.ToString(Inv);

    private static object Report(string potential, string path, Structure crystal, VacancyHopResult r, NebSettings settings, double[]? grades,
        double[] moved, int othersMoving) => new
    {
        potential, structure = path, atoms = crystal.Count, cell_fixed = true,
        equivalent_sites = r.EquivalentSites, space_group = r.SpaceGroup, symprec_A = r.SymmetryTolerance,
        endpoint_displacement_A = Math.Sqrt(moved.Sum(d => d * d)),
        hopper_displacement_A = moved[VacancyHopBarrier.HopperIndex(r)],
        other_atoms_moving_over_half_A = othersMoving,
        hop = new { from = r.FromAtom + 1, to = r.ToAtom + 1, numbering = "atom numbers from 1, as in the structure file", species = r.Species, distance_A = r.HopDistance },
        forward_barrier_eV = r.ForwardBarrier, backward_barrier_eV = r.BackwardBarrier,
        initial_energy_eV = r.InitialEnergy, final_energy_eV = r.FinalEnergy, saddle_energy_eV = r.Band.Energies.Max(),
        converged = r.Band.Converged, reason = r.Band.Reason, steps = r.Band.Steps, max_force_eV_per_A = r.Band.MaxForce,
        climbing_image = r.Band.ClimbingImage,
        settings = new
        {
            intermediate_images = settings.IntermediateImages, spring_eV_per_A2 = settings.SpringConstant, fmax_eV_per_A = settings.ForceTolerance,
            max_steps = settings.MaxSteps, endpoint_fmax_eV_per_A = settings.EndpointRelaxation.ForceTolerance,
        },
        images = r.Band.Energies.Select((e, m) => new
        {
            image = m, reaction_coordinate_A = r.Band.PathLength[m], energy_eV = e, relative_energy_eV = e - r.InitialEnergy,
            grade = grades?[m],
        }),
    };

    /// <summary>The energy profile along the band, as PNG or SVG by the extension; the climbing image marked.</summary>
    internal static void Plot(VacancyHopResult r, string path)
    {
        var band = r.Band;
        var plot = new ScottPlot.Plot();
        var relative = band.Energies.Select(e => e - r.InitialEnergy).ToArray();
        var line = plot.Add.Scatter(band.PathLength, relative);
        line.MarkerSize = 8;
        line.LegendText = "images";
        if (band.ClimbingImage > 0)
        {
            var top = plot.Add.Marker(band.PathLength[band.ClimbingImage], relative[band.ClimbingImage]);
            top.Size = 14;
            top.Shape = ScottPlot.MarkerShape.OpenCircle;
            top.LegendText = "climbing image";
        }
        plot.ShowLegend(ScottPlot.Edge.Bottom); // below the axes: inside, it would cover an image of the profile
        plot.Title(FormattableString.Invariant(
            $"{r.Species} vacancy hop: forward {r.ForwardBarrier:F3} eV, backward {r.BackwardBarrier:F3} eV{(band.Converged ? "" : " (not converged)")}"));
        plot.XLabel("reaction coordinate (Å)");
        plot.YLabel("E − E_initial (eV)");
        if (path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase)) plot.SaveSvg(path, 700, 500);
        else plot.SavePng(path, 700, 500);
    }
}
