using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PoetSharp.Simulation;
using PoetSharp.Symmetry;

namespace PoetSharp.Cli;

/// <summary>`poet hops`: the distinct vacancy hops of one element in a crystal, grouped by its symmetry; what to give `poet barrier --hop`.</summary>
internal static class HopsCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliOutput output, CliServices services)
    {
        var structureFile = new Option<string>("--structure", "-s")
        {
            Required = true, HelpName = "FILE",
            Description = "The crystal: the last structure in this file (" + Data.DataFiles.ReadableFormats + ").",
        };
        var element = new Option<string>("--element", "-e") { Required = true, HelpName = "SYMBOL", Description = "The element whose vacancy hops are listed (e.g. Li)." };
        var maxDistance = new Option<double>("--max-distance")
        {
            HelpName = "Å", DefaultValueFactory = _ => 4.0,
            Description = "Longest hop listed: pairs of the element's sites at most this far apart (minimum image), in Å.",
        };
        var json = new Option<bool>("--json") { Description = "Write the space group, the sites and the hops as JSON to standard output instead of tables." };
        var write = new Option<string>("--write")
        {
            HelpName = "FILE",
            Description = "Write the crystal as listed (after --repeat and --symmetrize) to this file (format by extension), to hand to other programs.",
        };
        var crystalOptions = new CrystalOptions();
        var command = new Command("hops",
            "The distinct vacancy hops of one element in a crystal: pairs of its sites up to a distance, grouped by the crystal's space group " +
            "(spglib), each with its sites, length, direction, multiplicity and whether it is symmetric (both sites equivalent: the same barrier " +
            "both ways). Give a hop's atom numbers to poet barrier --hop, with the same --repeat and --symmetrize.");
        foreach (var o in new Option[] { structureFile, element, maxDistance, json, write }) command.Options.Add(o);
        crystalOptions.AddTo(command);
        command.SetAction(parsed =>
        {
            var path = parsed.GetValue(structureFile)!;
            if (Spglib.WhyUnavailable() is { } why) throw new ArgumentException("poet hops needs spglib: " + why);
            var (crystal, prepared) = crystalOptions.Read(parsed, services, path);
            var species = parsed.GetValue(element)!;
            var distance = parsed.GetValue(maxDistance);
            if (!(distance > 0) || !double.IsFinite(distance)) throw new ArgumentException($"--max-distance {distance.ToString(Inv)}: expected a positive distance in Å");
            var symmetry = SiteSymmetry.Find(crystal, parsed.GetValue(crystalOptions.Symprec));
            var hops = VacancyHops.Distinct(crystal, species, distance, symmetry);
            // Sites of the element, named by their lowest-numbered atom (numbers from 1, as in the file).
            var sites = symmetry.Orbits().Where(o => crystal.Species[o[0]] == species).ToArray();
            if (parsed.GetValue(write) is { } file) services.WriteData(file, new Data.Dataset([crystal], path));

            if (parsed.GetValue(json))
            {
                output.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    structure = path, atoms = crystal.Count, space_group = symmetry.Group.International, space_group_number = symmetry.Group.Number,
                    symprec_A = symmetry.Tolerance, element = species, max_distance_A = distance,
                    numbering = "atom numbers from 1, in the order of the crystal as listed (after --repeat)",
                    sites = sites.Select(o => new { site = o[0] + 1, atoms = o.Select(a => a + 1) }),
                    hops = hops.Select((h, k) => new
                    {
                        hop = k + 1, from = h.From + 1, to = h.To + 1, distance_A = h.Distance, vector_A = new[] { h.Vector.X, h.Vector.Y, h.Vector.Z },
                        from_site = h.FromSite + 1, to_site = h.ToSite + 1, symmetric = h.Symmetric, count = h.Count,
                    }),
                }, MdCommands.JsonOptions));
                return PoetCli.Success;
            }
            output.Line($"{path}: {crystal.Count} atoms{prepared}; space group {symmetry.Group.International} ({symmetry.Group.Number}) at symprec {symmetry.Tolerance.ToString("G3", Inv)} Å");
            output.Line($"{species} sites: " + string.Join("; ", sites.Select(o => $"site {o[0] + 1} ({o.Length} atoms)")));
            if (hops.Count == 0) { output.Line(FormattableString.Invariant($"no two {species} sites lie within {distance:G4} Å")); return PoetCli.Success; }
            var table = CliOutput.NewTable(1, "hop", "--hop", "distance (Å)", "vector (Å)", "sites", "symmetric", "in the cell");
            for (var k = 0; k < hops.Count; k++)
            {
                var h = hops[k];
                CliOutput.AddRow(table, (k + 1).ToString(Inv), $"{h.To + 1},{h.From + 1}", h.Distance.ToString("F4", Inv),
                    FormattableString.Invariant($"{h.Vector.X:F2} {h.Vector.Y:F2} {h.Vector.Z:F2}"),
                    $"{h.FromSite + 1} ↔ {h.ToSite + 1}", h.Symmetric ? "yes" : "no", h.Count.ToString(Inv));
            }
            output.Console.Write(table);
            output.Line("(--hop I,J: atom I hops into the vacant site of atom J; a hop that is not symmetric has a different barrier each way: run both.)");
            return PoetCli.Success;
        });
        return command;
    }
}
