using System.Runtime.CompilerServices;
using PoetSharp.Atoms;

namespace PoetSharp.Potentials;

/// <summary>A half-list pair within the cutoff, kept between the passes of a many-body kernel: d = r_j − r_i, |d| (where the kernel stores it) and j.</summary>
internal struct KeptPair
{
    public double Dx, Dy, Dz, R;
    public int J;
}

/// <summary>The first step of the EAM-like kernels (our EAM, the tabulated model path): a half-list row's pairs within the cutoff.</summary>
internal static unsafe class KeptPairs
{
    /// <summary>
    /// Writes every entry of row i (there must be room for all of them at <paramref name="dest"/>) and returns how many
    /// are within the cutoff, packed at the front. Branch-free: with a list skin, which entries are inside is unpredictable,
    /// so every entry is written and the count advances only for those inside.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Filter(Vec3* positions, int* offsets, int* neighbours, int* shiftIndex, Vec3* shifts, int i, double cutoffSquared, KeptPair* dest)
    {
        var count = 0;
        var pi = positions[i];
        for (int e = offsets[i], end = offsets[i + 1]; e < end; e++)
        {
            var j = neighbours[e];
            var sh = shifts[shiftIndex[e]];
            var pj = positions[j];
            double dx = pj.X - pi.X + sh.X, dy = pj.Y - pi.Y + sh.Y, dz = pj.Z - pi.Z + sh.Z;
            var rec = dest + count;
            rec->Dx = dx; rec->Dy = dy; rec->Dz = dz; rec->J = j;
            var inside = dx * dx + dy * dy + dz * dz < cutoffSquared;
            count += Unsafe.As<bool, byte>(ref inside);
        }
        return count;
    }
}
