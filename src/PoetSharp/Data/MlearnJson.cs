namespace PoetSharp.Data;

/// <summary>mlearn JSON data sets (lists of pymatgen Structure dictionaries with outputs).</summary>
public static class MlearnJson
{
    public static Dataset Read(string path) => throw new NotImplementedException("being written");
}
