namespace PoetSharp.Potentials;

/// <summary>
/// POET's smooth cutoff function f(r): 1 for r ≤ r_in; (2r² − 3r_in² + r_out²)(r_out² − r²)² / (r_out² − r_in²)³
/// for r_in &lt; r &lt; r_out; 0 for r ≥ r_out. It and its first derivative are continuous at both ends.
/// (Hernandez et al., npj Comput. Mater. 5, 112 (2019); r_in = 3 Å, r_out = 5 Å for copper.)
/// </summary>
public readonly record struct Taper(double Inner, double Outer)
{
    public static Taper Copper => new(3.0, 5.0);

    /// <summary>f(r) and df/dr.</summary>
    public (double Value, double Derivative) Evaluate(double r)
    {
        if (r <= Inner) return (1.0, 0.0);
        if (r >= Outer) return (0.0, 0.0);
        double ri2 = Inner * Inner, ro2 = Outer * Outer, r2 = r * r;
        var inv = 1.0 / ((ro2 - ri2) * (ro2 - ri2) * (ro2 - ri2));
        var a = 2 * r2 - 3 * ri2 + ro2;
        var b = ro2 - r2;
        var value = a * b * b * inv;
        // d/dr [a b²] = 4r·b² + a·2b·(−2r)
        var derivative = (4 * r * b * b - 4 * r * a * b) * inv;
        return (value, derivative);
    }

    public void Validate()
    {
        if (!(Inner >= 0) || !(Outer > Inner) || !double.IsFinite(Outer))
            throw new ArgumentException($"taper needs 0 ≤ r_in < r_out (got r_in = {Inner}, r_out = {Outer})");
    }
}
