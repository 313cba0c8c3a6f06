using PoetSharp.Atoms;

namespace PoetSharp.Data;

/// <summary>VASP POSCAR/CONTCAR files.</summary>
public static class Poscar
{
    public static Structure Read(string path) => throw new NotImplementedException("being written");
    public static Structure Parse(string text, string sourceName) => throw new NotImplementedException("being written");
    public static void Write(string path, Structure structure, bool direct = true) => throw new NotImplementedException("being written");
    public static string Format(Structure structure, bool direct = true) => throw new NotImplementedException("being written");
}
