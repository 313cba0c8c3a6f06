using System.CommandLine;
using System.Globalization;
using PoetSharp.Atoms;
using PoetSharp.Symmetry;

namespace PoetSharp.Cli;

/// <summary>
/// How `poet barrier` and `poet hops` turn a structure file into the crystal they work on: the last structure of the
/// file, made exactly symmetric (<c>--symmetrize</c>) and then repeated (<c>--repeat</c>), so that both commands number
/// the atoms alike. Symmetrizing the file's cell before repeating it gives the same crystal as symmetrizing the repeat,
/// at a fraction of the cost (the repeat multiplies both the atoms and the operations).
/// </summary>
internal sealed class CrystalOptions
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public Option<string> Repeat { get; } = new("--repeat")
    {
        HelpName = "N1,N2,N3",
        Description = "Repeat the crystal N1×N2×N3 times along its cell vectors first (a vacancy needs room: its periodic images should lie beyond " +
                      "the potential's cutoff). Atoms 1…n of the repeated crystal are the file's n atoms; the next n their copy one cell along, and so on.",
    };

    public Option<bool> Symmetrize { get; } = new("--symmetrize")
    {
        Description = "Move the atoms onto the exactly symmetric structure of the space group found at --symprec (spglib), in the file's cell before --repeat: " +
                      "a DFT snapshot is symmetric only to a few hundredths of an Å, enough for two equivalent vacancies to relax into different minima.",
    };

    public Option<double> Symprec { get; } = new("--symprec")
    {
        HelpName = "Å", DefaultValueFactory = _ => 0.01,
        Description = "Distance tolerance of the symmetry search (spglib), in Å: for --symmetrize and for telling which sites are equivalent.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Repeat);
        command.Options.Add(Symmetrize);
        command.Options.Add(Symprec);
    }

    /// <summary>The crystal, and a few words on what was done to it (empty when nothing).</summary>
    public (Structure Crystal, string Prepared) Read(ParseResult parsed, CliServices services, string path)
    {
        var symprec = parsed.GetValue(Symprec);
        if (!(symprec > 0) || !double.IsFinite(symprec)) throw new ArgumentException($"--symprec {symprec.ToString(Inv)}: expected a positive distance in Å");
        var repeat = parsed.GetValue(Repeat) is { } text ? ParseRepeat(text) : null;
        var data = services.ReadData(path);
        if (data.Count == 0) throw new ArgumentException($"{path}: no structure in the file");
        var crystal = data[data.Count - 1];
        var notes = new List<string>();
        if (parsed.GetValue(Symmetrize))
        {
            if (Spglib.WhyUnavailable() is { } why) throw new ArgumentException("--symmetrize needs spglib: " + why);
            var symmetry = SiteSymmetry.Find(crystal, symprec);
            var symmetric = symmetry.Symmetrize(crystal);
            var largest = crystal.Positions.Zip(symmetric.Positions, (a, b) => (a - b).Length).Max();
            symmetric.Name = crystal.Name;
            crystal = symmetric;
            notes.Add(FormattableString.Invariant($"symmetrized in {symmetry.Group.International} (atoms moved by at most {largest:F4} Å)"));
        }
        if (repeat is { } n)
        {
            if (!crystal.Cell.FullyPeriodic) throw new ArgumentException($"--repeat: {path}'s cell is not periodic in every direction");
            var name = crystal.Name;
            crystal = Lattices.Supercell(crystal, n[0], n[1], n[2]);
            crystal.Name = name;
            notes.Add($"repeated {n[0]}×{n[1]}×{n[2]}");
        }
        return (crystal, notes.Count == 0 ? "" : "; " + string.Join("; ", notes));
    }

    internal static int[] ParseRepeat(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var n = new int[parts.Length];
        if (parts.Length != 3 || parts.Select((p, k) => int.TryParse(p, NumberStyles.Integer, Inv, out n[k]) && n[k] >= 1).Any(ok => !ok))
            throw new ArgumentException($"--repeat '{text}': expected three whole numbers ≥ 1, e.g. --repeat 2,2,1");
        return n;
    }
}
