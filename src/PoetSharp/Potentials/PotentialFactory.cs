using PoetSharp.Atoms;
using System.Globalization;
using PoetSharp.Models;
using PoetSharp.Mtp;

namespace PoetSharp.Potentials;

/// <summary>
/// Creates a potential from a command-line specification: a built-in name with optional parameters
/// (<c>sc</c>, <c>sc:cutoff=10,taper=none</c>, <c>lj:epsilon=0.0104,sigma=3.4,cutoff=8.5</c>) or an EAM file
/// (<c>.eam</c>, <c>.eam.alloy</c>, <c>.eam.fs</c>; a bare file name is also looked up among LAMMPS's potentials).
/// </summary>
public static class PotentialFactory
{
    /// <summary>Where Debian's lammps package installs its potential files.</summary>
    public const string LammpsPotentialsFolder = "/usr/share/lammps/potentials";

    public const string Help =
        "sc — Sutton–Chen copper (ε=0.012382 eV, a=3.61 Å, c=39.432, n=9, m=6) with POET's taper 3–5 Å; " +
        "options sc:epsilon=,a=,c=,n=,m=,rin=,rout=, or taper=none,cutoff=R. " +
        "lj — Lennard-Jones (default argon: epsilon=0.0104 eV, sigma=3.40 Å, cutoff=8.5 Å); options lj:epsilon=,sigma=,cutoff=,shift=true, or rin=,rout= for POET's taper. " +
        "FILE — an EAM file: .eam (funcfl), .eam.alloy/.setfl (setfl), .eam.fs (Finnis–Sinclair); a bare name is also looked up in " + LammpsPotentialsFolder + ". " +
        "FILE.mtp — an MLIP moment tensor potential (version 1.1.0); --type-map names its species numbers (e.g. --type-map Cu).";

    /// <param name="typeMap">Element symbols of species numbers 0, 1, … for potentials that number species (MLIP .mtp files).</param>
    public static IPotential Create(string spec, IReadOnlyList<string>? typeMap = null)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new ArgumentException("empty potential specification; expected " + Help);
        if (spec.EndsWith(".mtp", StringComparison.OrdinalIgnoreCase))
        {
            if (typeMap is null)
                throw new ArgumentException($"{spec}: an .mtp file numbers its species but names none; name them with --type-map (e.g. --type-map Cu, or Li,Ge,P,S for species 0, 1, 2, 3)");
            return new MtpPotential(MtpFile.Read(spec, typeMap));
        }
        var colon = spec.IndexOf(':');
        var name = (colon < 0 ? spec : spec[..colon]).Trim();
        var options = colon < 0 ? new Dictionary<string, string>() : ParseOptions(spec, spec[(colon + 1)..]);
        switch (name.ToLowerInvariant())
        {
            case "sc":
            case "sutton-chen":
                return CreateSuttonChen(spec, options);
            case "lj":
            case "lennard-jones":
                return CreateLennardJones(spec, options);
        }
        if (colon >= 0 && !File.Exists(spec))
            throw new ArgumentException($"unknown potential '{name}' in '{spec}'; expected {Help}");
        return Eam.FromFile(ResolveFile(spec));
    }

    public const string ModelHelp =
        "a model expression such as \"sum(644.52*r^-9) - sum(527.62*r^-6)^0.5\" (POET's syntax, see docs/models.md; evaluated with the given taper), " +
        "or a model file (.json) that carries its own cutoff, taper and species; a model file of family \"mtp\" (written by poet fit-mtp) holds a moment tensor potential.";

    /// <summary>
    /// A POET model as a potential: a model file (.json, with its own taper and species), or an expression in
    /// <see cref="ExpressionParser"/>'s syntax evaluated with <paramref name="taperForExpression"/>.
    /// </summary>
    public static IPotential CreateModel(string expressionOrFile, Taper taperForExpression)
    {
        if (string.IsNullOrWhiteSpace(expressionOrFile)) throw new ArgumentException("empty model; expected " + ModelHelp);
        // A model file of any family (closed form, or a moment tensor potential) runs through its family's evaluator.
        if (expressionOrFile.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return ModelFile.ReadAny(expressionOrFile).CreatePotential();
        return CreateExpressionModel(expressionOrFile, taperForExpression);
    }

    /// <summary>A closed-form model: an expression, or a model file holding one.</summary>
    public static ModelPotential CreateExpressionModel(string expressionOrFile, Taper taperForExpression)
    {
        if (string.IsNullOrWhiteSpace(expressionOrFile)) throw new ArgumentException("empty model; expected " + ModelHelp);
        if (expressionOrFile.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            var model = ModelFile.Read(expressionOrFile);
            return new ModelPotential(model.Expression, model.Taper, model.Species, model.Name);
        }
        taperForExpression.Validate();
        var expression = ExpressionParser.ParseModel(expressionOrFile);
        // A model of several elements, at[A](F_A) + at[B](F_B) + …, describes exactly the elements of its terms.
        var terms = expression.CentralTerms.ToArray();
        IReadOnlyList<string>? species = terms.Length > 0 ? terms.Select(t => Elements.Symbol(t.Element)).ToArray() : null;
        return new ModelPotential(expression, taperForExpression, species, expressionOrFile.Trim());
    }

    /// <summary>The path itself if it exists, else the same name among LAMMPS's potentials, else the path (the reader then reports it missing).</summary>
    public static string ResolveFile(string path)
    {
        if (File.Exists(path)) return path;
        if (Path.GetFileName(path) == path)
        {
            var candidate = Path.Combine(LammpsPotentialsFolder, path);
            if (File.Exists(candidate)) return candidate;
        }
        var lower = path.ToLowerInvariant();
        if (!(lower.EndsWith(".eam") || lower.EndsWith(".eam.alloy") || lower.EndsWith(".eam.fs") || lower.EndsWith(".setfl")))
            throw new ArgumentException($"unknown potential '{path}' (no such file); expected {Help}");
        return path;
    }

    private static SuttonChen CreateSuttonChen(string spec, Dictionary<string, string> o)
    {
        var reader = new OptionReader(spec, o);
        var epsilon = reader.Double("epsilon", 0.012382);
        var a = reader.Double("a", 3.61);
        var c = reader.Double("c", 39.432);
        var n = reader.Int("n", 9);
        var m = reader.Int("m", 6);
        var taper = reader.Taper(defaultInner: 3.0, defaultOuter: 5.0, defaultOn: true);
        var cutoff = reader.Double("cutoff", taper?.Outer ?? 10.0);
        reader.RejectUnknown();
        return new SuttonChen(epsilon, a, c, n, m, cutoff, taper, ["Cu"]);
    }

    private static LennardJones CreateLennardJones(string spec, Dictionary<string, string> o)
    {
        var reader = new OptionReader(spec, o);
        var epsilon = reader.Double("epsilon", 0.0104);
        var sigma = reader.Double("sigma", 3.40);
        var cutoff = reader.Double("cutoff", 8.5);
        var shift = reader.Bool("shift", false);
        var taper = reader.Taper(defaultInner: 0, defaultOuter: 0, defaultOn: false);
        reader.RejectUnknown();
        return new LennardJones(epsilon, sigma, cutoff, shift, taper);
    }

    private static Dictionary<string, string> ParseOptions(string spec, string text)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"bad option '{part}' in potential '{spec}': expected key=value");
            d[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }
        return d;
    }

    private sealed class OptionReader(string spec, Dictionary<string, string> options)
    {
        private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

        public double Double(string key, double fallback)
        {
            _used.Add(key);
            if (!options.TryGetValue(key, out var text)) return fallback;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                throw new ArgumentException($"option {key}='{text}' in potential '{spec}' is not a finite number");
            return v;
        }

        public int Int(string key, int fallback)
        {
            _used.Add(key);
            if (!options.TryGetValue(key, out var text)) return fallback;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                throw new ArgumentException($"option {key}='{text}' in potential '{spec}' is not an integer");
            return v;
        }

        public bool Bool(string key, bool fallback)
        {
            _used.Add(key);
            if (!options.TryGetValue(key, out var text)) return fallback;
            return text.ToLowerInvariant() switch
            {
                "true" or "yes" or "1" or "on" => true,
                "false" or "no" or "0" or "off" => false,
                _ => throw new ArgumentException($"option {key}='{text}' in potential '{spec}' is not true or false"),
            };
        }

        /// <summary>POET's taper from rin/rout, switched off by taper=none.</summary>
        public Taper? Taper(double defaultInner, double defaultOuter, bool defaultOn)
        {
            _used.Add("taper");
            var hasRadii = options.ContainsKey("rin") || options.ContainsKey("rout");
            var on = defaultOn || hasRadii;
            if (options.TryGetValue("taper", out var t))
            {
                if (t.Equals("none", StringComparison.OrdinalIgnoreCase) || t.Equals("off", StringComparison.OrdinalIgnoreCase)) on = false;
                else if (t.Equals("poet", StringComparison.OrdinalIgnoreCase) || t.Equals("on", StringComparison.OrdinalIgnoreCase)) on = true;
                else throw new ArgumentException($"option taper='{t}' in potential '{spec}': expected poet or none");
            }
            var inner = Double("rin", defaultInner);
            var outer = Double("rout", defaultOuter);
            if (!on) return null;
            if (!hasRadii && !defaultOn) throw new ArgumentException($"potential '{spec}': a taper needs rin= and rout=");
            var taper = new Taper(inner, outer);
            taper.Validate();
            return taper;
        }

        public void RejectUnknown()
        {
            var unknown = options.Keys.Where(k => !_used.Contains(k)).ToArray();
            if (unknown.Length > 0)
                throw new ArgumentException($"unknown option(s) {string.Join(", ", unknown)} in potential '{spec}'; expected {Help}");
        }
    }
}
