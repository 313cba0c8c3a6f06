namespace PoetSharp.Properties;

/// <summary>
/// One named number with its unit, in the shape of a <c>TargetProperties_0K.data</c> row: name (e.g. "a0", "C11", "delta_E0"),
/// structure (e.g. "FCC", "BCC_FCC"), value and unit (e.g. "Å", "GPa", "eV/atom").
/// </summary>
public sealed record PropertyValue(string Name, string Structure, double Value, string Unit)
{
    public override string ToString() => FormattableString.Invariant($"{Name} {Structure} {Value:G10} {Unit}");
}
