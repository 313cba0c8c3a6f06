namespace PoetSharp.Atoms;

/// <summary>
/// A symmetric stress tensor in eV/Å³, tensile positive (ASE's convention: σ = (1/V) ∂E/∂ε).
/// Components in Voigt order xx yy zz yz xz xy, as ASE stores them.
/// File formats that use other units or signs convert at the reader (see <see cref="Units"/>).
/// </summary>
public readonly record struct Stress(double Xx, double Yy, double Zz, double Yz, double Xz, double Xy)
{
    public static readonly Stress Zero = new(0, 0, 0, 0, 0, 0);

    /// <summary>Component by Voigt index 0..5 (xx yy zz yz xz xy).</summary>
    public double this[int voigt] => voigt switch
    {
        0 => Xx, 1 => Yy, 2 => Zz, 3 => Yz, 4 => Xz, 5 => Xy,
        _ => throw new ArgumentOutOfRangeException(nameof(voigt)),
    };

    /// <summary>Component (a, b) of the full 3×3 tensor.</summary>
    public double Component(int a, int b) => (a, b) switch
    {
        (0, 0) => Xx, (1, 1) => Yy, (2, 2) => Zz,
        (1, 2) or (2, 1) => Yz, (0, 2) or (2, 0) => Xz, (0, 1) or (1, 0) => Xy,
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    public double[] ToVoigt() => [Xx, Yy, Zz, Yz, Xz, Xy];
    public static Stress FromVoigt(ReadOnlySpan<double> v) => new(v[0], v[1], v[2], v[3], v[4], v[5]);

    /// <summary>Builds the tensor from a full 3×3 matrix (row-major), symmetrising the off-diagonal parts.</summary>
    public static Stress FromMatrix(ReadOnlySpan<double> m) =>
        new(m[0], m[4], m[8], 0.5 * (m[5] + m[7]), 0.5 * (m[2] + m[6]), 0.5 * (m[1] + m[3]));

    /// <summary>Hydrostatic pressure in eV/Å³ (compression positive): −trace/3.</summary>
    public double Pressure => -(Xx + Yy + Zz) / 3.0;

    public static Stress operator +(Stress a, Stress b) => new(a.Xx + b.Xx, a.Yy + b.Yy, a.Zz + b.Zz, a.Yz + b.Yz, a.Xz + b.Xz, a.Xy + b.Xy);
    public static Stress operator -(Stress a, Stress b) => new(a.Xx - b.Xx, a.Yy - b.Yy, a.Zz - b.Zz, a.Yz - b.Yz, a.Xz - b.Xz, a.Xy - b.Xy);
    public static Stress operator *(double s, Stress a) => new(s * a.Xx, s * a.Yy, s * a.Zz, s * a.Yz, s * a.Xz, s * a.Xy);

    public bool IsFinite => double.IsFinite(Xx) && double.IsFinite(Yy) && double.IsFinite(Zz) && double.IsFinite(Yz) && double.IsFinite(Xz) && double.IsFinite(Xy);
}
