using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using PoetSharp.Atoms;

namespace PoetSharp.Symmetry;

/// <summary>
/// The symmetry of a periodic structure from spglib (Togo et al.; Debian's libsymspg-dev), called through P/Invoke.
/// spglib is the symmetry finder every materials code uses, so PoetSharp does not carry its own.
/// </summary>
public sealed record SpaceGroupInfo(
    int Number,
    string International,
    string Schoenflies,
    string PointGroup,
    /// <summary>Rotations R in the structure's fractional basis: s' = R·s + t (row-major 3×3 each).</summary>
    IReadOnlyList<int[,]> Rotations,
    IReadOnlyList<Vec3> Translations)
{
    /// <summary>The distinct rotations: the point group in the cell's basis (a supercell repeats each rotation with pure translations).</summary>
    public IReadOnlyList<int[,]> PointGroupRotations()
    {
        var seen = new HashSet<string>();
        var result = new List<int[,]>();
        foreach (var r in Rotations)
            if (seen.Add(string.Join(",", r.Cast<int>()))) result.Add(r);
        return result;
    }
}

public static class Spglib
{
    // Debian installs only the versioned soname (libsymspg.so.2) unless the -dev package is present; try the common names.
    private const string Library = "symspg";
    private static readonly string[] Candidates = ["libsymspg.so.2", "libsymspg.so", "symspg", "libsymspg.dylib", "symspg.dll"];

    static Spglib()
    {
        try { NativeLibrary.SetDllImportResolver(typeof(Spglib).Assembly, Resolve); }
        catch (InvalidOperationException) { /* a resolver is already set for this assembly; rely on default probing */ }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library) return IntPtr.Zero;
        foreach (var c in Candidates)
            if (NativeLibrary.TryLoad(c, assembly, path, out var handle)) return handle;
        return IntPtr.Zero;
    }

    [DllImport(Library)] private static extern int spg_get_symmetry(int[] rotation, double[] translation, int maxSize, double[] lattice, double[] position, int[] types, int numAtom, double symprec);
    [DllImport(Library)] private static extern int spg_get_international(byte[] symbol, double[] lattice, double[] position, int[] types, int numAtom, double symprec);
    [DllImport(Library)] private static extern int spg_get_schoenflies(byte[] symbol, double[] lattice, double[] position, int[] types, int numAtom, double symprec);
    [DllImport(Library)] private static extern int spg_get_pointgroup(byte[] symbol, int[] transMat, int[] rotations, int numRotations);
    [DllImport(Library)] private static extern int spg_get_major_version();
    [DllImport(Library)] private static extern int spg_get_minor_version();

    /// <summary>Why spglib cannot be used here, or null when it loads.</summary>
    public static string? WhyUnavailable()
    {
        try { _ = spg_get_major_version(); return null; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return "spglib (libsymspg) could not be loaded: install it (Debian: apt-get install libsymspg-dev); " + e.Message;
        }
    }

    public static string Version() => $"{spg_get_major_version()}.{spg_get_minor_version()}";

    /// <summary>Space group, point group and operations of a fully periodic structure; symprec is spglib's distance tolerance in Å.</summary>
    public static SpaceGroupInfo Analyze(Structure structure, double symprec = 1e-5)
    {
        if (!structure.Cell.FullyPeriodic) throw new ArgumentException("symmetry needs a fully periodic cell");
        if (structure.Count == 0) throw new ArgumentException("symmetry needs at least one atom");
        if (WhyUnavailable() is { } reason) throw new InvalidOperationException(reason);
        var (lattice, positions, types) = Marshal(structure);
        var n = structure.Count;
        var symbol = new byte[11];
        var number = spg_get_international(symbol, lattice, positions, types, n, symprec);
        // spglib fails on input it cannot make sense of (atoms on top of each other, a degenerate cell): the user's to fix.
        if (number == 0) throw new ArgumentException($"spglib found no space group for {structure} (symprec {symprec} Å): atoms overlapping or the cell degenerate?");
        var schoen = new byte[7];
        spg_get_schoenflies(schoen, lattice, positions, types, n, symprec);
        // At most 48 rotations times the number of lattice points in the cell (one per atom at most).
        var max = 48 * n;
        var rot = new int[max * 9];
        var trans = new double[max * 3];
        var count = spg_get_symmetry(rot, trans, max, lattice, positions, types, n, symprec);
        if (count == 0) throw new InvalidOperationException($"spglib found no symmetry operations for {structure}");
        var rotations = new List<int[,]>(count);
        var translations = new List<Vec3>(count);
        for (var k = 0; k < count; k++)
        {
            var r = new int[3, 3];
            for (var i = 0; i < 3; i++)
                for (var j = 0; j < 3; j++) r[i, j] = rot[9 * k + 3 * i + j];
            rotations.Add(r);
            translations.Add(new Vec3(trans[3 * k], trans[3 * k + 1], trans[3 * k + 2]));
        }
        var info = new SpaceGroupInfo(number, Text(symbol), Text(schoen), "", rotations, translations);
        var distinct = info.PointGroupRotations();
        var flat = new int[distinct.Count * 9];
        for (var k = 0; k < distinct.Count; k++)
            for (var i = 0; i < 3; i++)
                for (var j = 0; j < 3; j++) flat[9 * k + 3 * i + j] = distinct[k][i, j];
        var pg = new byte[6];
        spg_get_pointgroup(pg, new int[9], flat, distinct.Count);
        return info with { PointGroup = Text(pg) };
    }

    // spglib's lattice is a C double[3][3] whose COLUMNS are a, b, c (spglib.h); positions are fractional; types are integers.
    private static (double[] Lattice, double[] Positions, int[] Types) Marshal(Structure s)
    {
        var c = s.Cell;
        var lattice = new[] { c.A.X, c.B.X, c.C.X, c.A.Y, c.B.Y, c.C.Y, c.A.Z, c.B.Z, c.C.Z };
        var positions = new double[3 * s.Count];
        var types = new int[s.Count];
        var index = new Dictionary<string, int>();
        for (var i = 0; i < s.Count; i++)
        {
            var f = c.ToFractional(s.Positions[i]);
            positions[3 * i] = f.X - Math.Floor(f.X);
            positions[3 * i + 1] = f.Y - Math.Floor(f.Y);
            positions[3 * i + 2] = f.Z - Math.Floor(f.Z);
            if (!index.TryGetValue(s.Species[i], out var t)) index[s.Species[i]] = t = index.Count + 1;
            types[i] = t;
        }
        return (lattice, positions, types);
    }

    private static string Text(byte[] bytes)
    {
        var end = Array.IndexOf(bytes, (byte)0);
        return Encoding.ASCII.GetString(bytes, 0, end < 0 ? bytes.Length : end).Trim();
    }
}
