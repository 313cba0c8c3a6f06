using PoetSharp.Atoms;

namespace PoetSharp.Data;

/// <summary>Reads and writes data sets in any supported format, chosen from the path (folder, extension, file name).</summary>
public static class DataFiles
{
    /// <summary>Formats recognised by <see cref="Read"/>, for help texts.</summary>
    public const string ReadableFormats =
        "a POET data folder (or a folder of them), a DeePMD system (npy or raw; or a folder of them), extended XYZ (.xyz, .extxyz), " +
        "mlearn/SNAP JSON (.json), MLIP configurations (.cfg), vasprun.xml (.xml), POSCAR/CONTCAR (.vasp, .poscar, POSCAR*, CONTCAR*)";

    /// <summary>Reads a data set; throws <see cref="DataFormatException"/> for anything missing or malformed.</summary>
    public static Dataset Read(string path) => Read(path, null);

    /// <summary>
    /// Reads a data set; <paramref name="typeMap"/> (element symbols by type index) names the species of formats that
    /// store integer types: DeePMD systems (it replaces type_map.raw) and MLIP .cfg files (it replaces their
    /// "Feature species" line). Other formats name their species and ignore it.
    /// </summary>
    public static Dataset Read(string path, IReadOnlyList<string>? typeMap)
    {
        if (Directory.Exists(path)) return ReadFolder(path, typeMap);
        if (!File.Exists(path)) throw new DataFormatException(path, null, "no such file or folder");
        var name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".xyz") || name.EndsWith(".extxyz")) return ExtendedXyz.Read(path);
        if (name.EndsWith(".json")) return MlearnJson.Read(path);
        if (name.EndsWith(".cfg")) return MlipCfg.Read(path, typeMap);
        if (name.EndsWith(".xml")) return Vasprun.Read(path);
        if (IsPoscarName(name))
        {
            var s = Poscar.Read(path);
            return new Dataset([s], path);
        }
        throw new DataFormatException(path, null, "unknown data format; expected " + ReadableFormats);
    }

    /// <summary>
    /// A folder: a DeePMD system (it has type.raw), a POET data folder or a folder of POET folders (as before), else a
    /// folder with DeePMD systems below it.
    /// </summary>
    private static Dataset ReadFolder(string path, IReadOnlyList<string>? typeMap)
    {
        if (DeepmdSystem.IsSystem(path)) return DeepmdSystem.Read(path, typeMap);
        if (PoetFolder.IsPoetFolder(path)) return PoetFolder.Read(path);
        var hasPoetSubfolder = Directory.GetDirectories(path).Any(PoetFolder.IsPoetFolder);
        if (!hasPoetSubfolder && DeepmdSystem.ContainsSystems(path)) return DeepmdSystem.Read(path, typeMap);
        if (hasPoetSubfolder) return PoetFolder.Read(path);
        throw new DataFormatException(path, null,
            "not a data folder: it is not a POET data folder (N.vasp with E0.data) and has none as subfolders, and it is not a DeePMD system " +
            $"({DeepmdSystem.TypeFile}) and has none below it");
    }

    /// <summary>
    /// Writes a data set: extended XYZ (.xyz, .extxyz, all structures), MLIP configurations (.cfg, all structures; the
    /// species order is recorded in each configuration) or POSCAR (.vasp, POSCAR*: one structure).
    /// </summary>
    public static void Write(string path, Dataset data)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".cfg"))
        {
            MlipCfg.Write(path, data.Structures);
            return;
        }
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
        throw new ArgumentException($"cannot write '{path}': use a .xyz/.extxyz (extended XYZ), .cfg (MLIP) or .vasp/POSCAR file name");
    }

    private static bool IsPoscarName(string lowerName) =>
        lowerName.EndsWith(".vasp") || lowerName.EndsWith(".poscar") || lowerName.StartsWith("poscar") || lowerName.StartsWith("contcar");
}
