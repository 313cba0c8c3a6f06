using System.Globalization;
using System.Text.RegularExpressions;
using PoetSharp.Atoms;

namespace PoetSharp.Learning;

/// <summary>
/// Reads pw.x's standard output (the file boundary: Ry, Ry/Bohr and Ry/Bohr³ there; eV, eV/Å and eV/Å³ here).
/// Each method throws a <see cref="FormatException"/> whose message is the reason in a few words, without the
/// folder; <see cref="EspressoOracle"/> turns it into an <see cref="OracleException"/>.
/// </summary>
public static partial class EspressoOutput
{
    /// <summary>eV/Å per Ry/Bohr.</summary>
    public const double ForceFactor = Units.EvPerRydberg / Units.AngstromPerBohr;

    /// <summary>eV/Å³ per Ry/Bohr³.</summary>
    public const double StressFactor = Units.EvPerRydberg / (Units.AngstromPerBohr * Units.AngstromPerBohr * Units.AngstromPerBohr);

    /// <summary>
    /// The labels of a finished run: the last "!" total energy, the last "Forces acting on atoms" block and the last
    /// "total   stress" block. pw.x prints the stress with the opposite sign to PoetSharp's (its printed P is the mean of
    /// the diagonal, so compression is positive there); it is negated here, so the result is (1/V) ∂E/∂ε, tensile
    /// positive. Values may be non-finite; <see cref="OracleLabel.CheckFinite"/> reports those.
    /// </summary>
    public static OracleLabel Read(string text, int atomCount)
    {
        if (NotConverged(text) is { } notConverged) throw new FormatException(notConverged);
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var energy = ReadEnergy(lines) * Units.EvPerRydberg;
        var forces = ReadForces(lines, atomCount);
        for (var i = 0; i < forces.Length; i++) forces[i] *= ForceFactor;
        var stress = -StressFactor * ReadStress(lines);
        return new OracleLabel(energy, forces, stress);
    }

    /// <summary>pw.x's own line when the SCF stopped unconverged ("convergence NOT achieved after 100 iterations: stopping"), else null.</summary>
    public static string? NotConverged(string text)
    {
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("convergence NOT achieved", StringComparison.Ordinal));
        // pw.x pads its numbers ("after   2 iterations"); one space reads better in a message.
        return line is null ? null : $"the SCF did not converge: pw.x says \"{Spaces().Replace(line, " ")}\"";
    }

    /// <summary>
    /// The message pw.x printed between its lines of '%' when it stopped on an error (e.g. "Error in routine readpp (1):
    /// file … not found"), joined into one line; null when there is none.
    /// </summary>
    public static string? ErrorMessage(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).ToArray();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!IsPercentRule(lines[i])) continue;
            var body = new List<string>();
            for (var j = i + 1; j < lines.Length; j++)
            {
                if (IsPercentRule(lines[j])) return body.Count > 0 ? string.Join(" ", body) : null;
                if (lines[j].Length > 0) body.Add(lines[j]);
            }
            // An opening rule without its closing one (output cut short): what follows it is still the message.
            return body.Count > 0 ? string.Join(" ", body.Take(3)) : null;
        }
        return null;
    }

    private static bool IsPercentRule(string line) => line.Length >= 10 && line.All(c => c == '%');

    /// <summary>The last line with text in it (not blank, not a rule of '-', '=', '%' or '*'); null when there is none.</summary>
    public static string? LastMeaningfulLine(string text) =>
        text.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Any(char.IsLetterOrDigit) && l != "JOB DONE.");

    private static double ReadEnergy(string[] lines)
    {
        // "!    total energy              =    -426.24879466 Ry"; newer versions mark some runs with "!!".
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            var m = EnergyLine().Match(lines[i]);
            if (m.Success) return Number(m.Groups[1].Value, lines[i]);
        }
        throw new FormatException("pw.out has no final total energy (no line starting with '!'): the run stopped early or its output is cut short");
    }

    private static Vec3[] ReadForces(string[] lines, int atomCount)
    {
        var header = Array.FindLastIndex(lines, l => l.Contains("Forces acting on atoms", StringComparison.Ordinal));
        if (header < 0) throw new FormatException("pw.out has no forces (no 'Forces acting on atoms' block): the run stopped early or its output is cut short");
        // "     atom    1 type  1   force =     0.00399980    0.00171868   -0.00095813", one per atom after a blank line;
        // the block ends at the next blank line (verbose runs print further force terms after it, in the same format).
        var forces = new List<(int Index, Vec3 F)>();
        var i = header + 1;
        while (i < lines.Length && lines[i].Trim().Length == 0) i++;
        for (; i < lines.Length; i++)
        {
            var m = ForceLine().Match(lines[i]);
            if (!m.Success) break;
            var v = Numbers(m.Groups[2].Value, lines[i], 3);
            forces.Add((int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), new Vec3(v[0], v[1], v[2])));
        }
        if (forces.Count != atomCount)
            throw new FormatException($"pw.out lists forces on {forces.Count} atoms, the structure has {atomCount}");
        for (var k = 0; k < forces.Count; k++)
            if (forces[k].Index != k + 1)
                throw new FormatException($"pw.out's force block is out of order (atom {forces[k].Index} in place {k + 1})");
        return forces.Select(f => f.F).ToArray();
    }

    private static Stress ReadStress(string[] lines)
    {
        var header = Array.FindLastIndex(lines, l => StressHeader().IsMatch(l));
        if (header < 0) throw new FormatException("pw.out has no stress (no 'total   stress' block): the run stopped early or its output is cut short");
        if (header + 3 >= lines.Length) throw new FormatException("pw.out's stress block is cut short");
        // Three rows: the tensor in Ry/Bohr³ (first three columns, 8 decimals) and again in kbar (coarser, not used).
        var m = new double[9];
        for (var r = 0; r < 3; r++)
        {
            var v = Numbers(lines[header + 1 + r], lines[header + 1 + r], 6);
            for (var c = 0; c < 3; c++) m[3 * r + c] = v[c];
        }
        return Stress.FromMatrix(m);
    }

    private static double[] Numbers(string fields, string line, int count)
    {
        var tokens = fields.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length != count) throw new FormatException($"pw.out: expected {count} numbers in the line \"{line.Trim()}\"");
        return tokens.Select(t => Number(t, line)).ToArray();
    }

    /// <summary>
    /// One of pw.x's numbers. Fortran writes a field of '*' when a value does not fit its format and may write NaN or
    /// Infinity; those become NaN or ±∞ here so that the finiteness check names them.
    /// </summary>
    private static double Number(string token, string line)
    {
        var digits = token.TrimStart('+', '-');
        if (digits.Length > 0 && digits.All(c => c == '*')) return double.NaN;
        var t = token.Replace('D', 'E').Replace('d', 'e');
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)) return x;
        var u = t.TrimStart('+', '-').ToUpperInvariant();
        if (u is "NAN") return double.NaN;
        if (u is "INF" or "INFINITY") return t.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
        throw new FormatException($"pw.out: cannot read '{token}' as a number in the line \"{line.Trim()}\"");
    }

    [GeneratedRegex(@"^\s*!+\s*total energy\s*=\s*(\S+)\s*Ry")]
    private static partial Regex EnergyLine();

    [GeneratedRegex(@"^\s*atom\s+(\d+)\s+type\s+\d+\s+force\s*=(.*)$")]
    private static partial Regex ForceLine();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"^\s*total\s+stress\b")]
    private static partial Regex StressHeader();
}
