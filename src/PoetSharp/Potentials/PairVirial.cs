using System.Runtime.CompilerServices;
using PoetSharp.Atoms;

namespace PoetSharp.Potentials;

/// <summary>
/// Accumulates Σ_pairs (∂E/∂r)/r · d_a d_b over pairs with separation d = r_j − r_i: the strain derivative of the energy,
/// from which <see cref="PotentialResult.SetVirialFromPairSum"/> gives the virial and the stress.
/// </summary>
public struct PairVirial
{
    private double _xx, _yy, _zz, _yz, _xz, _xy;

    /// <param name="d">r_j − r_i (Å).</param>
    /// <param name="dEdrOverR">(∂E/∂r)/r for this pair (eV/Å²).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(Vec3 d, double dEdrOverR)
    {
        _xx += dEdrOverR * d.X * d.X; _yy += dEdrOverR * d.Y * d.Y; _zz += dEdrOverR * d.Z * d.Z;
        _yz += dEdrOverR * d.Y * d.Z; _xz += dEdrOverR * d.X * d.Z; _xy += dEdrOverR * d.X * d.Y;
    }

    public readonly Stress Sum => new(_xx, _yy, _zz, _yz, _xz, _xy);
}
