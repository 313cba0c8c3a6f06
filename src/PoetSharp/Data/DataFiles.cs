using PoetSharp.Atoms;

namespace PoetSharp.Data;

/// <summary>Reads and writes data sets in any supported format, chosen from the path (folder, extension, file name).</summary>
public static class DataFiles
{
    /// <summary>Formats recognised by <see cref="Read"/>, for help texts.</summary>
    public const string ReadableFormats =
        "a POET data folder (or a folder of them), extended XYZ (.xyz, .extxyz), mlearn JSON (.json), vasprun.xml (.xml), POSCAR/CONTCAR (.vasp, .poscar, POSCAR*, CONTCAR*)";

    /// <summary>Reads a data set; throws <see cref="DataFormatException"/> for anything missing or malformed.</summary>
    public static Dataset Read(string path)
    {
        if (Directory.Exists(path)) return PoetFolder.Read(path);
        if (!File.Exists(path)) throw new DataFormatException(path, null, "no such file or folder");
        var name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".xyz") || name.EndsWith(".extxyz")) return ExtendedXyz.Read(path);
        if (name.EndsWith(".json")) return MlearnJson.Read(path);
        if (name.EndsWith(".xml")) return Vasprun.Read(path);
        if (IsPoscarName(name))
        {
            var s = Poscar.Read(path);
            return new Dataset([s], path);
        }
        throw new DataFormatException(path, null, "unknown data format; expected " + ReadableFormats);
    }

    /// <summary>Writes a data set: extended XYZ (.xyz, .extxyz, all structures) or POSCAR (.vasp, POSCAR*: one structure).</summary>
    public static void Write(string path, Dataset data)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".xyz") || name.EndsWith(".extxyz"))
        {
            ExtendedXyz.Write(path, data.Structures);
            return;
        }
        if (IsPoscarName(name))
        {
            if (data.Count != 1)
                throw new ArgumentException($"a POSCAR file holds one structure but the data set has {data.Count}; write extended XYZ (.xyz) instead");
            Poscar.Write(path, data[0]);
            return;
        }
        throw new ArgumentException($"cannot write '{path}': use a .xyz/.extxyz (extended XYZ) or .vasp/POSCAR file name");
    }

    private static bool IsPoscarName(string lowerName) =>
        lowerName.EndsWith(".vasp") || lowerName.EndsWith(".poscar") || lowerName.StartsWith("poscar") || lowerName.StartsWith("contcar");
}
