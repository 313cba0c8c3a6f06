using System.CommandLine;
using System.Text;
using PoetSharp.Export;
using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Cli;

/// <summary>`poet export`: a model as LAMMPS setfl tables and/or a KIM portable model, with a MODEL.md card.</summary>
internal static class ExportCommand
{
    public static Command Create(CliOutput output, CliServices services)
    {
        // export reads its model itself: a model file or an expression, or an MLIP .mtp file (named by --type-map)
        var model = new Option<string>("--model", "-m") { HelpName = "EXPR|FILE|RUN_DIR", Description = "The model: " + PotentialFactory.ModelHelp + " " + PotentialOptions.RunFolderHelp };
        var potential = new Option<string>("--potential", "-p")
        {
            HelpName = "FILE.mtp",
            Description = "Instead of --model: an MLIP moment tensor potential (.mtp, exported with --format kim); --type-map names its species (e.g. poet --type-map Cu export -p Cu.mtp -f kim -o DIR).",
        };
        var formats = new Option<string[]>("--format", "-f")
        {
            Required = true, HelpName = "FORMAT", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true,
            Description = "setfl (LAMMPS pair_style eam/alloy), eam-fs (eam/fs) — for models of EAM form — or kim (a KIM API portable model, any model, moment tensor potentials too); repeatable.",
        };
        var element = new Option<string[]>("--element", "-e")
        {
            HelpName = "SYMBOL", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true,
            Description = "For a --model expression: the element(s) it is for (default Cu). A model file carries its own.",
        };
        var name = new Option<string>("--name") { HelpName = "NAME", Description = "For a --model expression: the model's name (default 'model')." };
        var cutoff = new Option<double>("--cutoff") { DefaultValueFactory = _ => 5.0, HelpName = "Å", Description = "For a --model expression: where the taper reaches zero (Å)." };
        var taperInner = new Option<double>("--taper-inner") { DefaultValueFactory = _ => 3.0, HelpName = "Å", Description = "For a --model expression: where the taper starts to fall (Å)." };
        var outDir = new Option<string>("--out", "-o") { Required = true, HelpName = "DIR", Description = "Folder for the files and MODEL.md." };
        var install = new Option<bool>("--install") { Description = "With kim: build the model and install it into the user KIM collection (kim-api-collections-management install user)." };
        var kimName = new Option<string>("--kim-name") { HelpName = "NAME", Description = "With kim: the item name (letters, digits, _; default PoetSharp_<model>_<elements>)." };
        var nr = new Option<int>("--nr") { DefaultValueFactory = _ => new SetflOptions().DistancePoints, HelpName = "N", Description = "setfl: tabulated distances." };
        var nrho = new Option<int>("--nrho") { DefaultValueFactory = _ => new SetflOptions().DensityPoints, HelpName = "N", Description = "setfl: tabulated densities." };
        var rhoMax = new Option<double?>("--rho-max") { HelpName = "RHO", Description = "setfl: largest tabulated density (default 1.2 × the densest of fcc/bcc/sc compressed to 0.75 × the fcc neighbour distance)." };

        var command = new Command("export", "Write a model for other programs: LAMMPS setfl tables (eam/alloy, eam/fs) for models of EAM form, a KIM API portable model for any model, and a MODEL.md card.")
        {
            model, potential, formats, element, name, cutoff, taperInner, outDir, install, kimName, nr, nrho, rhoMax,
        };
        command.SetAction(parsed =>
        {
            var chosen = parsed.GetValue(formats)!.Select(f => f.ToLowerInvariant()).Distinct().ToList();
            foreach (var f in chosen)
                if (f is not ("setfl" or "eam-fs" or "kim")) throw new ArgumentException($"unknown export format '{f}'; expected setfl, eam-fs or kim");
            if (parsed.GetValue(install) && !chosen.Contains("kim")) throw new ArgumentException("--install applies to --format kim");
            var modelText = parsed.GetValue(model);
            var potentialFile = parsed.GetValue(potential);
            if ((modelText is null) == (potentialFile is null)) throw new ArgumentException("give the model to export with either --model or --potential");
            var read = potentialFile is not null
                ? ReadMtp(potentialFile, services.TypeMap(), parsed.GetValue(element), parsed.GetValue(name))
                : ReadModel(PotentialOptions.ResolveModel(modelText!, output), parsed.GetValue(element), parsed.GetValue(name), parsed.GetValue(taperInner), parsed.GetValue(cutoff), services.TypeMap());
            var dir = parsed.GetValue(outDir)!;
            if (read is Mtp.MtpModel mtp)
            {
                if (chosen.Contains("setfl") || chosen.Contains("eam-fs"))
                    throw new ArgumentException($"cannot write setfl for {mtp.Name}: a moment tensor potential is not of EAM form; use --format kim");
                Directory.CreateDirectory(dir);
                var mtpItem = parsed.GetValue(kimName) ?? KimExport.DefaultItemName(mtp);
                var mtpFolder = KimExport.Write(mtp, dir, mtpItem);
                output.Line($"wrote KIM portable model {mtpItem} in {mtpFolder}");
                var mtpInstalled = false;
                if (parsed.GetValue(install))
                {
                    KimExport.Install(mtpFolder);
                    mtpInstalled = true;
                    output.Line($"installed {mtpItem} in the user KIM collection; in LAMMPS: kim init {mtpItem} metal … kim interactions {string.Join(' ', mtp.Elements)}");
                }
                var mtpCard = Path.Combine(dir, "MODEL.md");
                File.WriteAllText(mtpCard, ModelCard.Render(mtp, mtpItem, mtpInstalled), new UTF8Encoding(false));
                output.Line("wrote " + mtpCard);
                return PoetCli.Success;
            }
            var m = (Model)read;
            Directory.CreateDirectory(dir);

            LammpsExport? setfl = null;
            string? setflUnavailable = null;
            if (chosen.Contains("setfl") || chosen.Contains("eam-fs"))
            {
                var options = new SetflOptions
                {
                    DistancePoints = parsed.GetValue(nr), DensityPoints = parsed.GetValue(nrho), MaxDensity = parsed.GetValue(rhoMax),
                };
                if (!SetflExport.CanWrite(m, out var reason)) throw new ArgumentException($"cannot write setfl for {m.Name}: {reason}");
                if (chosen.Contains("setfl")) setfl = SetflExport.Write(m, dir, options);
                if (chosen.Contains("eam-fs"))
                {
                    var fs = SetflExport.Write(m, dir, options with { FinnisSinclair = true });
                    setfl = setfl is null ? fs : setfl with
                    {
                        Files = [.. setfl.Files, .. fs.Files],
                        Notes = [.. setfl.Notes, $"eam/fs: pair_style {fs.PairStyle}; " + string.Join("; ", fs.PairCoeffs.Select(c => "pair_coeff " + c))],
                    };
                }
                foreach (var f in setfl!.Files) output.Line("wrote " + f);
                output.Line($"LAMMPS: pair_style {setfl.PairStyle}");
                foreach (var c in setfl.PairCoeffsIn(dir)) output.Line($"        pair_coeff {c}");
            }
            else if (!SetflExport.CanWrite(m, out var reason)) setflUnavailable = reason;

            string? item = null;
            var installed = false;
            if (chosen.Contains("kim"))
            {
                item = parsed.GetValue(kimName) ?? KimExport.DefaultItemName(m);
                var folder = KimExport.Write(m, dir, item);
                output.Line($"wrote KIM portable model {item} in {folder}");
                if (parsed.GetValue(install))
                {
                    KimExport.Install(folder);
                    installed = true;
                    output.Line($"installed {item} in the user KIM collection; in LAMMPS: kim init {item} metal … kim interactions {string.Join(' ', m.Species)}");
                }
            }

            var card = Path.Combine(dir, "MODEL.md");
            File.WriteAllText(card, ModelCard.Render(m, setfl, item, installed, setflUnavailable), new UTF8Encoding(false));
            output.Line("wrote " + card);
            return PoetCli.Success;
        });
        return command;
    }

    private static IParametricModel ReadModel(string text, string[]? elements, string? name, double taperInner, double cutoff, IReadOnlyList<string>? typeMap)
    {
        if (text.EndsWith(".mtp", StringComparison.OrdinalIgnoreCase)) return ReadMtp(text, typeMap, elements, name);
        if (text.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            var any = ModelFile.ReadAny(text);
            if (elements is { Length: > 0 } && !elements.SequenceEqual(any.Species))
                throw new ArgumentException($"{text} is a model for {string.Join(" ", any.Species)}; --element applies to expressions only");
            return (any, name) switch
            {
                (_, null) => any,
                (Model fromFile, _) => fromFile with { Name = name },
                (Mtp.MtpModel fromFile, _) => fromFile.WithName(name),
                _ => any,
            };
        }
        var taper = new Taper(taperInner, cutoff);
        taper.Validate();
        var expression = ExpressionParser.ParseModel(text);
        // Without --element: the elements the expression names (at[..], sum[..]), else copper.
        var named = expression.Nodes.ToArray().Where(n => n.Element != 0).Select(n => Atoms.Elements.Symbol(n.Element)).Distinct().ToArray();
        var m = new Model(name ?? "model", expression, cutoff, taper, elements is { Length: > 0 } ? elements : named.Length > 0 ? named : ["Cu"]);
        m.Validate();
        return m;
    }

    /// <summary>An MLIP .mtp file, its species numbers named by --type-map (an .mtp file names none).</summary>
    private static Mtp.MtpModel ReadMtp(string path, IReadOnlyList<string>? typeMap, string[]? elements, string? name)
    {
        if (elements is { Length: > 0 }) throw new ArgumentException("--element applies to expressions only; name an .mtp file's species with --type-map");
        if (typeMap is null)
            throw new ArgumentException($"{path}: an .mtp file numbers its species but names none; name them with --type-map (e.g. poet --type-map Cu export -p {Path.GetFileName(path)} -f kim -o DIR)");
        var m = Mtp.MtpFile.Read(path, typeMap);
        return name is null ? m : m.WithName(name);
    }
}
