namespace PoetSharp.Data;

/// <summary>VASP vasprun.xml: every ionic step.</summary>
public static class Vasprun
{
    public static Dataset Read(string path) => throw new NotImplementedException("being written");
}
