using System.Runtime.CompilerServices;

namespace PoetSharp.Evaluation;

/// <summary>
/// The angular densities ρ_l = Σ_{j,k} φ_j φ_k P_l(cos θ_jik) (l = 0..3) of an atom in O(neighbours) through the moment
/// tensors of its neighbourhood, M_l = Σ_j φ_j r̂_j^{⊗l}, which the Legendre addition theorem reduces the double sum to:
///   ρ_0 = M_0²,
///   ρ_1 = |M_1|²,
///   ρ_2 = (3/2) M_2:M_2 − (1/2) (tr M_2)²,
///   ρ_3 = (5/2) M_3⋮M_3 − (3/2) |v|², v_a = Σ_b M_3,abb (= M_1, since |r̂| = 1).
/// (P_2(x) = (3x² − 1)/2 and P_3(x) = (5x³ − 3x)/2 expand into (r̂_j·r̂_k)^n = r̂_j^{⊗n}·r̂_k^{⊗n}.) The lower moments
/// are contractions of the highest, so each order keeps one symmetric tensor: 1, 3, 6 or 10 numbers per atom.
/// <para>Derivatives: ρ is quadratic in M, so ∂ρ/∂φ_j = h(r̂_j) with h(u) = G·u^{⊗l}, G = ∂ρ/∂M, a homogeneous polynomial
/// of degree l in u (written here without using |u| = 1, so that Euler's u·∇h = l h holds). With d_j the vector to
/// neighbour j, r = |d_j|, u = d_j/r and φ′ = dφ/dr:
///   ∂ρ/∂d_j = (h φ′ − l φ h / r) u + (φ / r) ∇h,
/// a radial part like a plain sum's and a transverse part. h and ∇h are linear in M, so the same
/// <see cref="Project"/> gives their derivatives with respect to anything M depends on (the Jacobian's tangents).</para>
/// Moment layout (symmetric tensors, each independent component once): l = 0 [M]; l = 1 [x, y, z]; l = 2
/// [xx, yy, zz, yz, xz, xy]; l = 3 [xxx, yyy, zzz, xxy, xxz, xyy, yyz, xzz, yzz, xyz].
/// </summary>
public static class AngularMoments
{
    /// <summary>Numbers kept per atom for order l: 1, 3, 6, 10.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Components(int l) => l switch
    {
        0 => 1,
        1 => 3,
        2 => 6,
        3 => 10,
        _ => throw new ArgumentOutOfRangeException(nameof(l), l, "angular densities have orders 0 to 3"),
    };

    /// <summary>M += φ u^{⊗l} for one neighbour in direction u (a unit vector).</summary>
    // Inlined (as Project and Components): the pair loops call them per pair and density, where a call costs as much as
    // the arithmetic (about 15–20 % of the tabulated path's time for an angular density), and the order is then a
    // branch that is the same for every pair.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(int l, double phi, double ux, double uy, double uz, Span<double> m)
    {
        switch (l)
        {
            case 0:
                m[0] += phi;
                return;
            case 1:
                m[0] += phi * ux; m[1] += phi * uy; m[2] += phi * uz;
                return;
            case 2:
            {
                double px = phi * ux, py = phi * uy, pz = phi * uz;
                m[0] += px * ux; m[1] += py * uy; m[2] += pz * uz;
                m[3] += py * uz; m[4] += px * uz; m[5] += px * uy;
                return;
            }
            default:
            {
                double px = phi * ux, py = phi * uy, pz = phi * uz;
                double xx = px * ux, yy = py * uy, zz = pz * uz;
                m[0] += xx * ux; m[1] += yy * uy; m[2] += zz * uz;
                m[3] += xx * uy; m[4] += xx * uz; m[5] += yy * ux;
                m[6] += yy * uz; m[7] += zz * ux; m[8] += zz * uy;
                m[9] += px * uy * uz;
                return;
            }
        }
    }

    /// <summary>ρ_l from the atom's moment.</summary>
    public static double Density(int l, ReadOnlySpan<double> m)
    {
        switch (l)
        {
            case 0: return m[0] * m[0];
            case 1: return m[0] * m[0] + m[1] * m[1] + m[2] * m[2];
            case 2:
            {
                var trace = m[0] + m[1] + m[2];
                var squares = m[0] * m[0] + m[1] * m[1] + m[2] * m[2] + 2 * (m[3] * m[3] + m[4] * m[4] + m[5] * m[5]);
                // ρ_2 ≥ 0 exactly (a sum of squares, see the remarks); rounding can leave −1e-17 where it vanishes by
                // symmetry (every cubic site), which √ρ_2 or ρ_2^p would turn into NaN: clamped at +0.
                return Math.Max(0.0, 1.5 * squares - 0.5 * trace * trace);
            }
            default:
            {
                // Full contraction: each component times its number of index orderings (1, 3 or 6).
                var squares = m[0] * m[0] + m[1] * m[1] + m[2] * m[2]
                              + 3 * (m[3] * m[3] + m[4] * m[4] + m[5] * m[5] + m[6] * m[6] + m[7] * m[7] + m[8] * m[8])
                              + 6 * m[9] * m[9];
                double vx = m[0] + m[5] + m[7], vy = m[3] + m[1] + m[8], vz = m[4] + m[6] + m[2];
                return Math.Max(0.0, 2.5 * squares - 1.5 * (vx * vx + vy * vy + vz * vz));
            }
        }
    }

    /// <summary>
    /// h(u) = ∂ρ/∂φ for a neighbour in direction u, and ∇h (into <paramref name="gx"/>…): both linear in the moment
    /// <paramref name="m"/>, so that a tangent of M gives the tangents of h and ∇h.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Project(int l, ReadOnlySpan<double> m, double ux, double uy, double uz, out double gx, out double gy, out double gz)
    {
        switch (l)
        {
            case 0:
                gx = gy = gz = 0;
                return 2 * m[0];
            case 1:
                gx = 2 * m[0]; gy = 2 * m[1]; gz = 2 * m[2];
                return gx * ux + gy * uy + gz * uz;
            case 2:
            {
                // h = 3 u·Mu − tr M (u·u), ∇h = 6 Mu − 2 tr M u.
                var trace = m[0] + m[1] + m[2];
                var mx = m[0] * ux + m[5] * uy + m[4] * uz;
                var my = m[5] * ux + m[1] * uy + m[3] * uz;
                var mz = m[4] * ux + m[3] * uy + m[2] * uz;
                gx = 6 * mx - 2 * trace * ux; gy = 6 * my - 2 * trace * uy; gz = 6 * mz - 2 * trace * uz;
                return 3 * (ux * mx + uy * my + uz * mz) - trace * (ux * ux + uy * uy + uz * uz);
            }
            default:
            {
                // t_a = Σ_bc M_abc u_b u_c; h = 5 t·u − 3 (v·u)(u·u), ∇h = 15 t − 3 (u·u) v − 6 (v·u) u.
                double xx = ux * ux, yy = uy * uy, zz = uz * uz, xy = 2 * ux * uy, xz = 2 * ux * uz, yz = 2 * uy * uz;
                var tx = m[0] * xx + m[5] * yy + m[7] * zz + m[3] * xy + m[4] * xz + m[9] * yz;
                var ty = m[3] * xx + m[1] * yy + m[8] * zz + m[5] * xy + m[9] * xz + m[6] * yz;
                var tz = m[4] * xx + m[6] * yy + m[2] * zz + m[9] * xy + m[7] * xz + m[8] * yz;
                double vx = m[0] + m[5] + m[7], vy = m[3] + m[1] + m[8], vz = m[4] + m[6] + m[2];
                double uu = xx + yy + zz, vu = vx * ux + vy * uy + vz * uz;
                gx = 15 * tx - 3 * uu * vx - 6 * vu * ux;
                gy = 15 * ty - 3 * uu * vy - 6 * vu * uy;
                gz = 15 * tz - 3 * uu * vz - 6 * vu * uz;
                return 5 * (tx * ux + ty * uy + tz * uz) - 3 * vu * uu;
            }
        }
    }
}
