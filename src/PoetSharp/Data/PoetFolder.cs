namespace PoetSharp.Data;

/// <summary>POET's data folders (N.vasp, E0.data, F_coord.data or F.data, F_Cell.data).</summary>
public static class PoetFolder
{
    /// <summary>True when the folder holds POET data files itself (N.vasp with E0.data).</summary>
    public static bool IsPoetFolder(string path) => throw new NotImplementedException("being written");

    /// <summary>Reads a POET folder, or a folder of such folders (one group per subfolder).</summary>
    public static Dataset Read(string path) => throw new NotImplementedException("being written");
}
