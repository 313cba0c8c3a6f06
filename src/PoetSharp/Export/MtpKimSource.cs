using System.Globalization;
using System.Text;
using PoetSharp.Mtp;

namespace PoetSharp.Export;

/// <summary>
/// The C++ of a KIM API 2 portable model for a moment tensor potential (<see cref="KimExport.Write(MtpModel, string, string?)"/>).
/// </summary>
/// <remarks>
/// <para>Data. The model is held as arrays: the radial coefficients c^{st}_{μβ} (MLIP's order, as
/// <see cref="MtpModel.RadialCoefficients"/>), ξ_s, w_α, the basic moments' (μ, a, b, c), the products
/// (left, right, out) with their multiplicities, the scalar moments, and scaling, min_dist, max_dist and the radial basis
/// size as constants. Nothing else is derived in C#: the C++ evaluates the model as <see cref="MtpKernel.Energy"/> does.</para>
/// <para>Evaluation, per contributing particle i of species s over KIM's full neighbour list (pairs at r ≥ max_dist
/// dropped): per neighbour j, r, û = d/r (d = x_j − x_i), the Chebyshev basis T_β(ξ(r))·scaling·(R_cut − r)² and its
/// derivative, f_μ = Σ_β c^{s,t_j}_{μβ} Q_β and f′_μ, and the powers of x̂, ŷ, ẑ up to the largest rank; basic moment
/// k = Σ_j f_μk x̂^a ŷ^b ẑ^c; the products in order; E_i = ξ_s + Σ_α w_α m[scalar_α]. Then the adjoint
/// adj = ∂E_i/∂m by the products in reverse, and per neighbour
/// ∂E_i/∂d_j = Σ_k adj_k [(f′_μ − ν_k f_μ/r) P_k û + (f_μ/r) ∇_û P_k], ν_k = a + b + c, P_k = x̂^a ŷ^b ẑ^c.
/// F_i += ∂E_i/∂d_j and F_j −= ∂E_i/∂d_j (j may be a non-contributing image); KIM's virial −Σ r⊗F gains
/// (∂E_i/∂d_j) ⊗ d_j, symmetrised; the particle energy of i is E_i.</para>
/// <para>A short-range core (<see cref="MtpCore"/>) is written as its inner radii, width and the ZBL constants of each
/// pair: the radial functions are evaluated at the clamped distance ρ(r) and each neighbour adds half of (1 − S) φ_ZBL to E_i, as in
/// <see cref="MtpKernel"/>. Without a core every inner radius is 0, which switches nothing.</para>
/// </remarks>
internal static class MtpKimSource
{
    public static string Source(MtpModel model, string name)
    {
        var basis = model.Basis;
        var literal = CppExpressionWriter.Literal;
        var maxRank = basis.MaxRank;
        // C++ has no arrays of length zero: an empty list holds one unused entry (its count says it is empty).
        static IEnumerable<string> OrUnused(IEnumerable<string> items, string unused) => items.Any() ? items : [unused];
        var basic = OrUnused(basis.Mu.Zip(basis.Powers, (mu, p) => $"{{{mu}, {p.A}, {p.B}, {p.C}}}"), "{0, 0, 0, 0}");
        var products = OrUnused(basis.Products.Select(p => $"{{{p.Left}, {p.Right}, {p.Out}}}"), "{0, 0, 0}");
        var mults = OrUnused(basis.Products.Select(p => literal(p.Mult)), "0.0");
        var scalars = OrUnused(basis.Scalars.Select(k => k.ToString(CultureInfo.InvariantCulture)), "0");
        var moments = OrUnused(model.MomentCoefficients.Select(literal), "0.0");
        return $$"""
            // KIM API 2 portable model {{name}}, written by PoetSharp (poet export --format kim).
            // Moment tensor potential {{Comment(model.Name)}} (Shapeev 2016; MLIP's MTP1m) for {{string.Join(" ", model.Elements)}} (species code k = element k):
            // E_i = xi_{s_i} + sum_alpha w_alpha B_alpha, the B_alpha scalar moments built by a product program from the basic moments
            // M_k = sum_j f_mu_k(r_ij) x^a_k y^b_k z^c_k (unit vector components), f_mu^{st}(r) = sum_beta c^{st}_{mu beta} T_beta(xi(r)) scaling (R_cut - r)^2.
            // {{basis.BasicCount}} basic moments, {{basis.Products.Length}} products, {{basis.ScalarCount}} scalars, {{model.RadialFunctionCount}} radial functions of {{model.RadialBasisSize}} Chebyshev polynomials.
            // Units: Angstrom, eV.

            #include "KIM_ModelHeaders.hpp"

            #include <cmath>
            #include <cstddef>
            #include <vector>

            namespace
            {
            int const kSpecies = {{model.SpeciesCount}};
            int const kRadialFunctions = {{model.RadialFunctionCount}};
            int const kRadialBasisSize = {{model.RadialBasisSize}};
            int const kBasic = {{basis.BasicCount}};
            int const kMoments = {{basis.MomentCount}};
            int const kProducts = {{basis.Products.Length}};
            int const kScalars = {{basis.ScalarCount}};
            int const kMaxRank = {{maxRank}};
            double const kScaling = {{literal(model.Scaling)}};
            double const kMinDist = {{literal(model.MinDistance)}};
            double const kMaxDist = {{literal(model.Cutoff)}};
            double const kCutoff = kMaxDist;

            // Short-range core ({{(model.Core is null ? "none: every inner radius is 0" : "ZBL")}}): below r_in of a pair the radial functions are evaluated at the
            // clamped distance rho(r) (never below r_in - w), and the pair adds (1 - S) phi_ZBL(r), S(r) = x^3 (10 - 15 x + 6 x^2), x = (r - r_in + w) / w.
            double const kCoreWidth = {{literal(model.Core?.Width ?? 1.0)}};
            double const kCoreInner[] = {{{string.Join(", ", (model.Core?.Inner ?? new double[model.SpeciesCount * model.SpeciesCount]).Select(literal))}}};
            // k_e Z_s Z_t (eV Angstrom) and 1 / a = (Z_s^0.23 + Z_t^0.23) / 0.46850 Angstrom^-1 of each ordered pair.
            double const kCorePrefactor[] = {{{string.Join(", ", CorePairs(model, (za, zb) => MtpCore.CoulombConstant * za * zb))}}};
            double const kCoreInverseScreening[] = {{{string.Join(", ", CorePairs(model, (za, zb) => (Math.Pow(za, 0.23) + Math.Pow(zb, 0.23)) / 0.46850))}}};
            double const kZblC[4] = {0.18175, 0.50986, 0.28022, 0.02817};
            double const kZblD[4] = {3.19980, 0.94229, 0.40290, 0.20162};

            // c^{st}_{mu beta} at ((s * kSpecies + t) * kRadialFunctions + mu) * kRadialBasisSize + beta.
            double const kRadialCoeffs[] = {
            {{Lines(model.RadialCoefficients.Select(literal), 4)}}
            };
            double const kSpeciesCoeffs[] = {{{string.Join(", ", model.SpeciesCoefficients.Select(literal))}}};
            double const kMomentCoeffs[] = {
            {{Lines(moments, 4)}}
            };
            // Basic moments: {mu, a, b, c}.
            int const kBasicIndex[][4] = {
            {{Lines(basic, 8)}}
            };
            // Products moment[out] += mult * moment[left] * moment[right], in order: {left, right, out}.
            int const kProductIndex[][3] = {
            {{Lines(products, 8)}}
            };
            double const kProductMult[] = {
            {{Lines(mults, 8)}}
            };
            // Moment index of each scalar B_alpha.
            int const kScalarMoments[] = {
            {{Lines(scalars, 16)}}
            };

            // Per neighbour in the scratch: j, r, ux, uy, uz, dx, dy, dz, then f_mu and f'_mu, then the powers of ux, uy, uz, each as
            // 0, 1, u, u^2, ... u^kMaxRank (the leading 0 stands for u^-1, so that a u^(a-1) needs no branch at a = 0).
            int const kPowers = kMaxRank + 2;
            int const kStride = 8 + 2 * kRadialFunctions + 3 * kPowers;

            struct Buffer
            {
              double influenceDistance;
              double cutoff;
              int noNeighboursOfNoncontributing;
              std::vector<double> scratch;
              std::vector<double> moments;
              std::vector<double> adjoint;
            };

            inline double CoreSwitch(int const pair, double const r, double & slope)
            {
              double const x = (r - kCoreInner[pair] + kCoreWidth) / kCoreWidth;
              slope = 0.0;
              if (x <= 0.0) return 0.0;
              if (x >= 1.0) return 1.0;
              slope = 30 * x * x * (x - 1) * (x - 1) / kCoreWidth;
              return x * x * x * (10 + x * (-15 + 6 * x));
            }

            // rho = r_in - w + w (6 x^3 - 8 x^4 + 3 x^5), x clipped to [0, 1]: r itself from r_in on.
            inline double CoreClamp(int const pair, double const r, double & slope)
            {
              double const x = (r - kCoreInner[pair] + kCoreWidth) / kCoreWidth;
              if (x <= 0.0) { slope = 0.0; return kCoreInner[pair] - kCoreWidth; }
              if (x >= 1.0) { slope = 1.0; return r; }
              slope = x * x * (18 + x * (-32 + 15 * x));
              return kCoreInner[pair] - kCoreWidth + kCoreWidth * x * x * x * (6 + x * (-8 + 3 * x));
            }

            // (1 - S) phi_ZBL of a pair and its derivative; zero at and beyond r_in.
            inline double CorePair(int const pair, double const r, double & slope)
            {
              slope = 0.0;
              if (r >= kCoreInner[pair]) return 0.0;
              double ds;
              double const sw = CoreSwitch(pair, r, ds);
              double screen = 0.0, dscreen = 0.0;
              for (int t = 0; t < 4; ++t)
              {
                double const e = kZblC[t] * std::exp(-kZblD[t] * kCoreInverseScreening[pair] * r);
                screen += e;
                dscreen -= kZblD[t] * kCoreInverseScreening[pair] * e;
              }
              double const phi = kCorePrefactor[pair] * screen / r;
              double const dphi = kCorePrefactor[pair] * (dscreen / r - screen / (r * r));
              slope = (1 - sw) * dphi - ds * phi;
              return (1 - sw) * phi;
            }

            // Distance, unit vector, radial functions and powers of one neighbour of an atom of species s into entry.
            inline void Neighbour(int const s, int const t, double const r, double const dx, double const dy, double const dz,
                                  double * const entry)
            {
              double const ux = dx / r, uy = dy / r, uz = dz / r;
              entry[1] = r; entry[2] = ux; entry[3] = uy; entry[4] = uz; entry[5] = dx; entry[6] = dy; entry[7] = dz;
              double q[kRadialBasisSize], dq[kRadialBasisSize];
              double const width = kMaxDist - kMinDist;
              double const dxi = 2.0 / width;
              // Inside a core the radial functions see the clamped distance rho(r), their slopes times drho/dr.
              int const pair = s * kSpecies + t;
              double rho = r, drho = 1.0;
              if (r < kCoreInner[pair]) rho = CoreClamp(pair, r, drho);
              double const xi = (2 * rho - (kMinDist + kMaxDist)) / width;
              double const gap = kMaxDist - rho;
              double const smooth = kScaling * gap * gap;
              double const dsmooth = -2 * kScaling * gap;
              // T_0 = 1, T_1 = xi, T_b = 2 xi T_(b-1) - T_(b-2), each times scaling (R_cut - r)^2.
              double t0 = 1, t1 = xi, dt0 = 0, dt1 = dxi;
              q[0] = smooth; dq[0] = dsmooth;
              q[1] = t1 * smooth; dq[1] = dt1 * smooth + t1 * dsmooth;
              for (int b = 2; b < kRadialBasisSize; ++b)
              {
                double const t2 = 2 * xi * t1 - t0;
                double const dt2 = 2 * (dxi * t1 + xi * dt1) - dt0;
                q[b] = t2 * smooth;
                dq[b] = dt2 * smooth + t2 * dsmooth;
                t0 = t1; t1 = t2; dt0 = dt1; dt1 = dt2;
              }
              for (int b = 0; b < kRadialBasisSize; ++b) dq[b] *= drho;
              double * const f = entry + 8;
              double * const df = f + kRadialFunctions;
              double const * const c = kRadialCoeffs + (s * kSpecies + t) * kRadialFunctions * kRadialBasisSize;
              for (int mu = 0; mu < kRadialFunctions; ++mu)
              {
                double fv = 0, dfv = 0;
                for (int b = 0; b < kRadialBasisSize; ++b)
                {
                  fv += c[mu * kRadialBasisSize + b] * q[b];
                  dfv += c[mu * kRadialBasisSize + b] * dq[b];
                }
                f[mu] = fv;
                df[mu] = dfv;
              }
              double * const px = df + kRadialFunctions;
              double * const py = px + kPowers;
              double * const pz = py + kPowers;
              px[0] = 0; py[0] = 0; pz[0] = 0;
              px[1] = 1; py[1] = 1; pz[1] = 1;
              for (int k = 2; k < kPowers; ++k)
              {
                px[k] = px[k - 1] * ux;
                py[k] = py[k - 1] * uy;
                pz[k] = pz[k - 1] * uz;
              }
            }

            {{KimExport.ComputeStart}}
              bool const needDerivatives = forces || virial;
              double const cutoff2 = kCutoff * kCutoff;
              std::vector<double> & scratch = buffer->scratch;
              std::vector<double> & m = buffer->moments;
              std::vector<double> & adj = buffer->adjoint;
              m.resize(kMoments);
              adj.resize(kMoments);

              for (int i = 0; i < n; ++i)
              {
                if (!contributing[i]) continue;
                int neighbourCount = 0;
                int const * neighbours = NULL;
                if (arguments->GetNeighborList(0, i, &neighbourCount, &neighbours))
                {
                  modelCompute->LogEntry(KIM::LOG_VERBOSITY::error, "cannot get the neighbour list", __LINE__, __FILE__);
                  return true;
                }
                if (scratch.size() < static_cast<std::size_t>(kStride * neighbourCount)) scratch.resize(kStride * neighbourCount);
                int const s = species[i];
                int used = 0;
                double coreEnergy = 0.0;
                for (int jj = 0; jj < neighbourCount; ++jj)
                {
                  int const j = neighbours[jj];
                  double const dx = x[3 * j] - x[3 * i], dy = x[3 * j + 1] - x[3 * i + 1], dz = x[3 * j + 2] - x[3 * i + 2];
                  double const r2 = dx * dx + dy * dy + dz * dz;
                  if (r2 >= cutoff2) continue;
                  double * const entry = &scratch[kStride * used++];
                  entry[0] = j;
                  Neighbour(s, species[j], std::sqrt(r2), dx, dy, dz, entry);
                  double coreSlope;
                  coreEnergy += 0.5 * CorePair(s * kSpecies + species[j], entry[1], coreSlope);
                }

                // Basic moments, then the products in order.
                for (int k = 0; k < kMoments; ++k) m[k] = 0.0;
                for (int p = 0; p < used; ++p)
                {
                  double const * const entry = &scratch[kStride * p];
                  double const * const f = entry + 8;
                  double const * const px = f + 2 * kRadialFunctions;
                  double const * const py = px + kPowers;
                  double const * const pz = py + kPowers;
                  for (int k = 0; k < kBasic; ++k)
                  {
                    int const * const b = kBasicIndex[k];
                    m[k] += f[b[0]] * (px[b[1] + 1] * py[b[2] + 1] * pz[b[3] + 1]);
                  }
                }
                for (int p = 0; p < kProducts; ++p)
                {
                  int const * const q = kProductIndex[p];
                  m[q[2]] += kProductMult[p] * m[q[0]] * m[q[1]];
                }
                double atomEnergy = kSpeciesCoeffs[s] + coreEnergy;
                for (int a = 0; a < kScalars; ++a) atomEnergy += kMomentCoeffs[a] * m[kScalarMoments[a]];
                if (energy) *energy += atomEnergy;
                if (particleEnergy) particleEnergy[i] = atomEnergy;
                if (!needDerivatives) continue;

                // adj = dE_i/dm: the scalars' weights, carried back through the products in reverse.
                for (int k = 0; k < kMoments; ++k) adj[k] = 0.0;
                for (int a = 0; a < kScalars; ++a) adj[kScalarMoments[a]] += kMomentCoeffs[a];
                for (int p = kProducts - 1; p >= 0; --p)
                {
                  int const * const q = kProductIndex[p];
                  double const g = kProductMult[p] * adj[q[2]];
                  adj[q[0]] += g * m[q[1]];
                  adj[q[1]] += g * m[q[0]];
                }

                // dE_i/dd_j = sum_k adj_k [(f'_mu - nu f_mu / r) P_k u + (f_mu / r) grad_u P_k].
                for (int p = 0; p < used; ++p)
                {
                  double const * const entry = &scratch[kStride * p];
                  int const j = static_cast<int>(entry[0]);
                  double const r = entry[1];
                  double const * const f = entry + 8;
                  double const * const df = f + kRadialFunctions;
                  double const * const px = df + kRadialFunctions;
                  double const * const py = px + kPowers;
                  double const * const pz = py + kPowers;
                  double const inverseR = 1.0 / r;
                  double coreSlope;
                  CorePair(s * kSpecies + species[j], r, coreSlope);
                  double radialPart = 0.5 * coreSlope, bx = 0.0, by = 0.0, bz = 0.0;
                  for (int k = 0; k < kBasic; ++k)
                  {
                    double const w = adj[k];
                    if (w == 0.0) continue;
                    int const * const b = kBasicIndex[k];
                    int const mu = b[0], ea = b[1], eb = b[2], ec = b[3];
                    double const fr = f[mu] * inverseR;
                    double const yz = py[eb + 1] * pz[ec + 1];
                    double const monomial = px[ea + 1] * yz;
                    radialPart += w * (df[mu] - (ea + eb + ec) * fr) * monomial;
                    double const wf = w * fr;
                    bx += wf * ea * px[ea] * yz;
                    by += wf * eb * px[ea + 1] * py[eb] * pz[ec + 1];
                    bz += wf * ec * px[ea + 1] * py[eb + 1] * pz[ec];
                  }
                  double const * const d = entry + 5;
                  double const g[3] = {radialPart * entry[2] + bx, radialPart * entry[3] + by, radialPart * entry[4] + bz};
            {{KimExport.PairGradientCpp("      ")}}
                }
              }
              return false;
            }

            {{KimExport.ModelCreate(model.Elements)}}

            """;
    }

    // A value per ordered species pair from the atomic numbers of its two elements, as C++ literals.
    private static IEnumerable<string> CorePairs(MtpModel model, Func<double, double, double> value) =>
        from a in model.Elements from b in model.Elements
        select CppExpressionWriter.Literal(value(Atoms.Elements.AtomicNumber(a), Atoms.Elements.AtomicNumber(b)));

    /// <summary>Items separated by commas, <paramref name="perLine"/> to a line, each line indented by two spaces.</summary>
    private static string Lines(IEnumerable<string> items, int perLine)
    {
        var sb = new StringBuilder();
        var list = items.ToList();
        for (var k = 0; k < list.Count; k++)
        {
            if (k % perLine == 0) sb.Append(k == 0 ? "  " : ",\n  ");
            else sb.Append(", ");
            sb.Append(list[k]);
        }
        return sb.ToString();
    }

    private static string Comment(string s) => s.ReplaceLineEndings(" ");
}
