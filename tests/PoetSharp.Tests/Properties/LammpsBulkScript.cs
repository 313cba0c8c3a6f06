using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Properties;

/// <summary>
/// Complete LAMMPS input scripts for relaxations and strain sequences that the run-0 harness in Support/Lammps.cs does
/// not cover: <see cref="LammpsScript"/> with the units and atom style prepended, read back as "key value" lines.
/// </summary>
internal static class LammpsBulkScript
{
    /// <summary>Mishin's Cu EAM (Phys. Rev. B 63, 224106), the potential the properties are verified on.</summary>
    public static string MishinCu => Lammps.Potential("Cu_mishin1.eam.alloy");

    /// <summary>The lines that set up Mishin's Cu for a box of one atom type.</summary>
    public static string MishinSetup => LammpsScript.MishinPair;

    /// <summary>
    /// Runs the script (units metal, atom_style atomic are prepended) and returns the values written by lines
    /// <c>print "key $(expr:%.17g)" append result.txt screen no</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Run(string script) => LammpsScript.Run("units metal\natom_style atomic\n" + script).Values;

    /// <summary>A print line that appends "key value" to result.txt.</summary>
    public static string Print(string key, string expression) => LammpsScript.Print(key, expression);
}
