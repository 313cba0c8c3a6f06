using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using PoetSharp.Models;

namespace PoetSharp.Export;

/// <summary>
/// Writes any model as a KIM API 2 stand-alone portable model: C++ source (model.cpp) and a CMakeLists.txt using
/// the kim-api-items macros, in a folder named after the item; optionally builds and installs it into the user
/// collection with <c>kim-api-collections-management install user DIR</c>.
/// </summary>
/// <remarks>
/// The model computes E_i = A(s_1 … s_K), s_k = Σ_j g_k(r_ij) f(r_ij) over KIM's full neighbour list of each
/// contributing particle i, so that only contributing particles need neighbours. Forces come from
/// ∂E_i/∂r_ij = Σ_k ∂A/∂s_k · (g_k′ f + g_k f′), applied to i and j (j may be a non-contributing image); the virial
/// is KIM's Σ (∂E/∂r) r_a r_b / r; the particle energy of i is E_i (zero for non-contributing particles).
/// Several species: species code k is the model's k-th element; a sum over the neighbours of element B adds only B
/// neighbours, and an at[A] term counts only at A atoms (the atom's element is passed to the atom function as z).
/// <para>Angular densities ang_l(g) (see <see cref="Evaluation.AngularMoments"/>, which the C++ follows): atom i's
/// moment M = Σ_j φ_j u_j^{⊗l} (φ = g f, u = d/r) over the same full list, s_k = ρ_l(M); with G = ∂E_i/∂s_k,
/// ∂E_i/∂d_j = (h φ′ − l φ h / r) u + (φ/r) ∇h, h and ∇h projected from G·M at u: a radial and a transverse part,
/// applied to i and j as above. The virial is then Σ d ⊗ ∂E/∂d, symmetrised per neighbour (a neighbour's term alone
/// need not be symmetric; their sum is).</para>
/// </remarks>
public static class KimExport
{
    /// <summary>KIM item names are C identifiers.</summary>
    private static readonly Regex ItemName = new("^[A-Za-z_][A-Za-z0-9_]*$");

    public static string DefaultItemName(Model model) => "PoetSharp_" + FileNames.Safe(model.Name) + "_" + string.Join("", model.Species);

    /// <summary>Writes the item's folder <paramref name="parent"/>/NAME and returns it.</summary>
    public static string Write(Model model, string parent, string? itemName = null)
    {
        model.Validate();
        itemName ??= DefaultItemName(model);
        CheckItemName(itemName);
        return WriteItem(parent, itemName, Source(model, itemName));
    }

    public static string DefaultItemName(Mtp.MtpModel model) => "PoetSharp_" + FileNames.Safe(model.Name) + "_" + string.Join("", model.Elements);

    /// <summary>
    /// Writes a moment tensor potential as a KIM portable model in <paramref name="parent"/>/NAME and returns the folder:
    /// its coefficients and moment program as C++ arrays, evaluated as <see cref="Mtp.MtpPotential"/> does (see
    /// <see cref="MtpKimSource"/>).
    /// </summary>
    public static string Write(Mtp.MtpModel model, string parent, string? itemName = null)
    {
        itemName ??= DefaultItemName(model);
        CheckItemName(itemName);
        return WriteItem(parent, itemName, MtpKimSource.Source(model, itemName), optimise: true);
    }

    /// <summary>A model of either family: a closed-form <see cref="Model"/> or an <see cref="Mtp.MtpModel"/>.</summary>
    public static string Write(IParametricModel model, string parent, string? itemName = null) => model switch
    {
        Model m => Write(m, parent, itemName),
        Mtp.MtpModel m => Write(m, parent, itemName),
        _ => throw new ArgumentException($"models of family '{model.Family}' cannot be exported as KIM portable models"),
    };

    private static void CheckItemName(string itemName)
    {
        if (!ItemName.IsMatch(itemName))
            throw new ArgumentException($"KIM item name '{itemName}' is not allowed: letters, digits and underscores, not starting with a digit");
    }

    // The item's folder: CMakeLists.txt and model.cpp.
    private static string WriteItem(string parent, string itemName, string source, bool optimise = false)
    {
        var folder = Path.Combine(parent, itemName);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "CMakeLists.txt"), CMake(itemName, optimise), new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(folder, "model.cpp"), source, new UTF8Encoding(false));
        return folder;
    }

    /// <summary>
    /// Builds and installs the item in <paramref name="folder"/> into the user collection (the folders named by
    /// the KIM API configuration file: ~/.kim-api/…/config, or $KIM_API_CONFIGURATION_FILE). Throws with the tool's
    /// output if it fails.
    /// </summary>
    public static string Install(string folder, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("kim-api-collections-management")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "install", "--force", "user", Path.GetFullPath(folder) }) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        Process process;
        try { process = Process.Start(psi) ?? throw new IOException("cannot start kim-api-collections-management"); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException("kim-api-collections-management not found: install the KIM API (Debian: apt-get install libkim-api-dev cmake g++ make)", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            var output = stdout.Result + stderr.Result;
            if (process.ExitCode != 0 || output.Contains("ERROR", StringComparison.Ordinal))
                throw new IOException($"kim-api-collections-management install user {folder} failed (exit code {process.ExitCode}): {output.Trim()}");
            return output;
        }
    }

    // optimise: compile with -O2 unless a build type says otherwise (the KIM API's own default, "None", adds no -O).
    private static string CMake(string name, bool optimise) => $$"""
        # KIM API portable model written by PoetSharp (poet export --format kim).
        # Install with: kim-api-collections-management install user .
        cmake_minimum_required(VERSION 3.10)

        list(APPEND CMAKE_PREFIX_PATH $ENV{KIM_API_CMAKE_PREFIX_DIR})
        find_package(KIM-API-ITEMS 2.2 REQUIRED CONFIG)

        kim_api_items_setup_before_project(ITEM_TYPE "portableModel")
        project({{name}} LANGUAGES CXX)
        kim_api_items_setup_after_project(ITEM_TYPE "portableModel")

        add_kim_api_model_library(
          NAME                    ${PROJECT_NAME}
          CREATE_ROUTINE_NAME     "model_create"
          CREATE_ROUTINE_LANGUAGE "cpp"
          )
        target_sources(${PROJECT_NAME} PRIVATE model.cpp)
        {{(optimise ? OptimiseCMake : "")}}
        """;

    private const string OptimiseCMake = """
        # The moment program is long: optimise unless a build type is chosen (the KIM API's default, None, sets no -O).
        if((NOT CMAKE_BUILD_TYPE OR CMAKE_BUILD_TYPE STREQUAL "None") AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
          target_compile_options(${PROJECT_NAME} PRIVATE -O2)
        endif()

        """;

    private static string Source(Model model, string name)
    {
        var e = model.Expression;
        var sums = e.SumCount;
        // Every neighbour sum in node order (the atom function's s[k]): plain sums and angular densities.
        var sumElements = new List<int>();
        var sumOrders = new List<int>();
        var momentOffsets = new List<int>();
        var momentWidth = 0;
        for (var i = 0; i < e.Length; i++)
        {
            if (!Nodes.IsNeighbourSum(e.Nodes[i].Kind)) continue;
            sumElements.Add(e.Nodes[i].Element);
            var order = Nodes.AngularOrder(e.Nodes[i].Kind);
            sumOrders.Add(order);
            momentOffsets.Add(order < 0 ? -1 : momentWidth);
            if (order >= 0) momentWidth += Evaluation.AngularMoments.Components(order);
        }
        var angular = momentWidth > 0;
        var pairFunctions = new StringBuilder();
        var calls = new StringBuilder();
        var k = 0;
        for (var i = 0; i < e.Length; i++)
        {
            if (!Nodes.IsNeighbourSum(e.Nodes[i].Kind)) continue;
            pairFunctions.Append($"// g_{k}(r) = {Comment(ExpressionPrinter.Print(e.Subtree(i - 1)))}\n");
            pairFunctions.Append($"inline void Pair{k}(double const r, double & value, double & derivative)\n{{\n");
            pairFunctions.Append(CppExpressionWriter.Pair(e, i - 1, "  "));
            pairFunctions.Append("}\n\n");
            calls.Append($"      Pair{k}(r, g, dg);\n      gf[{k}] = g * f;\n      dgf[{k}] = dg * f + g * df;\n");
            k++;
        }
        // Atomic number of each species code, and the neighbours' element of each sum (0: every neighbour).
        var elementOfCode = string.Join(", ", model.Species.Select(s => Atoms.Elements.AtomicNumber(s)));
        var sumElementList = sumElements.Count == 0 ? "0" : string.Join(", ", sumElements);
        var angularConstants = angular
            ? "// Angular order of each sum (-1: a plain sum) and the offset of its moment among an atom's moments.\n" +
              $"int const kSumOrder[] = {{{string.Join(", ", sumOrders)}}};\nint const kMomentOffset[] = {{{string.Join(", ", momentOffsets)}}};\n" +
              $"int const kMomentWidth = {momentWidth};\n"
            : "";
        var arraySize = Math.Max(sums, 1);
        // Our evaluator drops pairs beyond the taper's end (f = 0 there, and g may not be finite); so does this one.
        var cutoff = CppExpressionWriter.Literal(Math.Min(model.Cutoff, model.Taper.Outer));
        var outer = CppExpressionWriter.Literal(model.Taper.Outer);
        var inner = CppExpressionWriter.Literal(model.Taper.Inner);
        return $$"""
            // KIM API 2 portable model {{name}}, written by PoetSharp (poet export --format kim).
            // Model {{Comment(model.Name)}}: E_i = {{Comment(e.ToString())}}
            // sum(g) = sum over neighbours j of g(r_ij) f(r_ij), f POET's taper from {{inner}} to {{outer}} Angstrom; E = sum_i E_i.
            {{(angular ? "// angL(g) = sum over neighbours j, k of phi_j phi_k P_L(cos theta_jik), phi = g f, from the moments sum_j phi_j u_j^(x L).\n" : "")}}// Units: Angstrom, eV.

            #include "KIM_ModelHeaders.hpp"
            
            #include <cmath>
            #include <cstddef>
            #include <vector>

            namespace
            {
            int const kSums = {{sums}};
            int const kElementOfCode[] = {{{elementOfCode}}};
            int const kSumElement[] = {{{sumElementList}}};
            {{angularConstants}}            double const kCutoff = {{cutoff}};
            double const kTaperInner = {{inner}};
            double const kTaperOuter = {{outer}};

            struct Buffer
            {
              double influenceDistance;
              double cutoff;
              int noNeighboursOfNoncontributing;
              std::vector<double> scratch;
            };

            // f(r) = (2r^2 - 3ri^2 + ro^2)(ro^2 - r^2)^2 / (ro^2 - ri^2)^3 between ri and ro, 1 below, 0 above.
            inline void Taper(double const r, double & f, double & df)
            {
              if (r <= kTaperInner) { f = 1.0; df = 0.0; return; }
              if (r >= kTaperOuter) { f = 0.0; df = 0.0; return; }
              double const ri2 = kTaperInner * kTaperInner, ro2 = kTaperOuter * kTaperOuter, r2 = r * r;
              double const inv = 1.0 / ((ro2 - ri2) * (ro2 - ri2) * (ro2 - ri2));
              double const a = 2 * r2 - 3 * ri2 + ro2;
              double const b = ro2 - r2;
              f = a * b * b * inv;
              df = (4 * r * b * b - 4 * r * a * b) * inv;
            }

            // Partials of v = a^b: d/da = b v / a (b a^(b-1) at a = 0), d/db = v ln a; zero where b = 0 or v = 0.
            inline void PowPartials(double const a, double const b, double const v, double & pa, double & pb)
            {
              pa = b == 0.0 ? 0.0 : (a != 0.0 ? b * v / a : b * std::pow(a, b - 1.0));
              pb = v == 0.0 ? 0.0 : v * std::log(a);
            }

            {{(angular ? AngularCpp : "")}}{{pairFunctions}}// The atom energy from the sums s[k] and its partials dE/ds[k], for an atom of element z (atomic number).
            inline void Atom(double const * const s, int const z, double & energy, double * const dEds)
            {
            {{CppExpressionWriter.Atom(e, "  ")}}  (void) s;
              (void) dEds;
              (void) z;
            }

            {{ComputeStart}}
              bool const needDerivatives = forces || virial;
              double const cutoff2 = kCutoff * kCutoff;
              // Per neighbour: index, r, dx, dy, dz, then g_k f and d(g_k f)/dr for each sum (zero for a sum that does not
              // take this neighbour's element), then whether each sum takes it.
              int const stride = 5 + 3 * kSums;
              std::vector<double> & scratch = buffer->scratch;

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
                if (scratch.size() < static_cast<std::size_t>(stride * neighbourCount)) scratch.resize(stride * neighbourCount);
                double s[{{arraySize}}] = {0.0};
            {{(angular ? "    double moments[kMomentWidth] = {0.0};\n" : "")}}    int used = 0;
                for (int jj = 0; jj < neighbourCount; ++jj)
                {
                  int const j = neighbours[jj];
                  double const dx = x[3 * j] - x[3 * i], dy = x[3 * j + 1] - x[3 * i + 1], dz = x[3 * j + 2] - x[3 * i + 2];
                  double const r2 = dx * dx + dy * dy + dz * dz;
                  if (r2 >= cutoff2) continue;
                  double const r = std::sqrt(r2);
                  double f, df;
                  Taper(r, f, df);
                  double * const entry = &scratch[stride * used++];
                  entry[0] = j; entry[1] = r; entry[2] = dx; entry[3] = dy; entry[4] = dz;
                  double * const gf = entry + 5;
                  double * const dgf = entry + 5 + kSums;
                  double * const takes = entry + 5 + 2 * kSums;
                  int const zj = kElementOfCode[species[j]];
                  double g, dg;
            {{calls}}      for (int k = 0; k < kSums; ++k)
                  {
                    takes[k] = kSumElement[k] == 0 || kSumElement[k] == zj ? 1.0 : 0.0;
                    if (takes[k] != 0.0) {{(angular ? "{ if (kSumOrder[k] < 0) s[k] += gf[k]; else MomentAdd(kSumOrder[k], gf[k], dx / r, dy / r, dz / r, moments + kMomentOffset[k]); }" : "s[k] += gf[k];")}}
                    else { gf[k] = 0.0; dgf[k] = 0.0; }
                  }
                  (void) gf; (void) dgf; (void) g; (void) dg;
                }
            {{(angular ? AngularDensitiesCpp : "")}}    double atomEnergy;
                double dEds[{{arraySize}}];
                Atom(s, kElementOfCode[species[i]], atomEnergy, dEds);
                if (energy) *energy += atomEnergy;
                if (particleEnergy) particleEnergy[i] = atomEnergy;
                if (!needDerivatives) continue;
            {{(angular ? AngularScaleCpp : "")}}    for (int p = 0; p < used; ++p)
                {
                  double const * const entry = &scratch[stride * p];
                  int const j = static_cast<int>(entry[0]);
                  double const r = entry[1];
            {{(angular ? AngularDerivativesCpp : PlainDerivativesCpp(e.IsSpeciesResolved))}}    }
              }
              return false;
            }

            {{ModelCreate(model.Species)}}

            """;
    }

    /// <summary>
    /// The C++ of one neighbour's forces and virial for a model of plain sums: ∂E_i/∂r = Σ_k ∂A/∂s_k (g_k f)′, along d.
    /// (Species-resolved: a sum the atom's energy does not depend on is skipped, as its partial may be anything.)
    /// </summary>
    private static string PlainDerivativesCpp(bool speciesResolved) => $$"""
              double dEdr = 0.0;
              // A sum that does not take this neighbour contributes nothing (even where its partial is not finite){{(speciesResolved ? ", nor one the atom's energy does not depend on (another element's)" : "")}}.
              for (int k = 0; k < kSums; ++k)
                if ({{(speciesResolved ? "dEds[k] != 0.0 && " : "")}}entry[5 + 2 * kSums + k] != 0.0) dEdr += dEds[k] * entry[5 + kSums + k];
              double const d[3] = {entry[2], entry[3], entry[4]};
              if (forces)
                for (int a = 0; a < 3; ++a)
                {
                  double const component = dEdr * d[a] / r;
                  forces[3 * i + a] += component;
                  forces[3 * j + a] -= component;
                }
              if (virial)
              {
                double const v = dEdr / r;
                virial[0] += v * d[0] * d[0];
                virial[1] += v * d[1] * d[1];
                virial[2] += v * d[2] * d[2];
                virial[3] += v * d[1] * d[2];
                virial[4] += v * d[0] * d[2];
                virial[5] += v * d[0] * d[1];
              }

        """;

    /// <summary>
    /// The C++ of the moment tensors, as <see cref="Evaluation.AngularMoments"/> (the same layout and formulas):
    /// MomentAdd (M += φ u^{⊗l}), MomentDensity (ρ_l from M) and MomentProject (h = ∂ρ/∂φ at u and ∇h, linear in M).
    /// </summary>
    private const string AngularCpp = """
        // Moments (symmetric tensors, each component once): l = 0 [M]; 1 [x, y, z]; 2 [xx, yy, zz, yz, xz, xy];
        // 3 [xxx, yyy, zzz, xxy, xxz, xyy, yyz, xzz, yzz, xyz]. rho_0 = M^2, rho_1 = |M|^2, rho_2 = 3/2 M:M - 1/2 (tr M)^2,
        // rho_3 = 5/2 M:M - 3/2 |v|^2 with v_a = M_abb (the Legendre addition theorem).
        inline void MomentAdd(int const l, double const phi, double const ux, double const uy, double const uz, double * const m)
        {
          if (l == 0) { m[0] += phi; return; }
          if (l == 1) { m[0] += phi * ux; m[1] += phi * uy; m[2] += phi * uz; return; }
          double const px = phi * ux, py = phi * uy, pz = phi * uz;
          if (l == 2)
          {
            m[0] += px * ux; m[1] += py * uy; m[2] += pz * uz;
            m[3] += py * uz; m[4] += px * uz; m[5] += px * uy;
            return;
          }
          double const xx = px * ux, yy = py * uy, zz = pz * uz;
          m[0] += xx * ux; m[1] += yy * uy; m[2] += zz * uz;
          m[3] += xx * uy; m[4] += xx * uz; m[5] += yy * ux;
          m[6] += yy * uz; m[7] += zz * ux; m[8] += zz * uy;
          m[9] += px * uy * uz;
        }

        inline double MomentDensity(int const l, double const * const m)
        {
          if (l == 0) return m[0] * m[0];
          if (l == 1) return m[0] * m[0] + m[1] * m[1] + m[2] * m[2];
          if (l == 2)
          {
            double const trace = m[0] + m[1] + m[2];
            double const squares = m[0] * m[0] + m[1] * m[1] + m[2] * m[2] + 2 * (m[3] * m[3] + m[4] * m[4] + m[5] * m[5]);
            return 1.5 * squares - 0.5 * trace * trace;
          }
          // Each component times its number of index orderings (1, 3 or 6).
          double const squares = m[0] * m[0] + m[1] * m[1] + m[2] * m[2]
                                 + 3 * (m[3] * m[3] + m[4] * m[4] + m[5] * m[5] + m[6] * m[6] + m[7] * m[7] + m[8] * m[8])
                                 + 6 * m[9] * m[9];
          double const vx = m[0] + m[5] + m[7], vy = m[3] + m[1] + m[8], vz = m[4] + m[6] + m[2];
          return 2.5 * squares - 1.5 * (vx * vx + vy * vy + vz * vz);
        }

        // h(u) = d rho / d phi of a neighbour in direction u and its gradient g, both linear in m (written without |u| = 1,
        // so that u . grad h = l h).
        inline double MomentProject(int const l, double const * const m, double const ux, double const uy, double const uz,
                                    double & gx, double & gy, double & gz)
        {
          if (l == 0) { gx = gy = gz = 0.0; return 2 * m[0]; }
          if (l == 1) { gx = 2 * m[0]; gy = 2 * m[1]; gz = 2 * m[2]; return gx * ux + gy * uy + gz * uz; }
          if (l == 2)
          {
            double const trace = m[0] + m[1] + m[2];
            double const mx = m[0] * ux + m[5] * uy + m[4] * uz;
            double const my = m[5] * ux + m[1] * uy + m[3] * uz;
            double const mz = m[4] * ux + m[3] * uy + m[2] * uz;
            gx = 6 * mx - 2 * trace * ux; gy = 6 * my - 2 * trace * uy; gz = 6 * mz - 2 * trace * uz;
            return 3 * (ux * mx + uy * my + uz * mz) - trace * (ux * ux + uy * uy + uz * uz);
          }
          double const xx = ux * ux, yy = uy * uy, zz = uz * uz, xy = 2 * ux * uy, xz = 2 * ux * uz, yz = 2 * uy * uz;
          double const tx = m[0] * xx + m[5] * yy + m[7] * zz + m[3] * xy + m[4] * xz + m[9] * yz;
          double const ty = m[3] * xx + m[1] * yy + m[8] * zz + m[5] * xy + m[9] * xz + m[6] * yz;
          double const tz = m[4] * xx + m[6] * yy + m[2] * zz + m[9] * xy + m[7] * xz + m[8] * yz;
          double const vx = m[0] + m[5] + m[7], vy = m[3] + m[1] + m[8], vz = m[4] + m[6] + m[2];
          double const uu = xx + yy + zz, vu = vx * ux + vy * uy + vz * uz;
          gx = 15 * tx - 3 * uu * vx - 6 * vu * ux;
          gy = 15 * ty - 3 * uu * vy - 6 * vu * uy;
          gz = 15 * tz - 3 * uu * vz - 6 * vu * uz;
          return 5 * (tx * ux + ty * uy + tz * uz) - 3 * vu * uu;
        }


        """;

    // The angular densities of atom i from its moments, before the atom function.
    private const string AngularDensitiesCpp = """
            for (int k = 0; k < kSums; ++k)
              if (kSumOrder[k] >= 0) s[k] = MomentDensity(kSumOrder[k], moments + kMomentOffset[k]);

        """;

    // G M per angular density (G = dE_i/ds_k), which the neighbours' h and grad h are projected from; zero where the energy
    // does not depend on the density (not 0 times the moment).
    private const string AngularScaleCpp = """
            double scaled[kMomentWidth];
            for (int k = 0; k < kSums; ++k)
            {
              if (kSumOrder[k] < 0) continue;
              int const width = kSumOrder[k] == 0 ? 1 : kSumOrder[k] == 1 ? 3 : kSumOrder[k] == 2 ? 6 : 10;
              for (int c = 0; c < width; ++c)
                scaled[kMomentOffset[k] + c] = dEds[k] == 0.0 ? 0.0 : dEds[k] * moments[kMomentOffset[k] + c];
            }

        """;

    // One neighbour's dE_i/dd (d the vector to it): the plain sums' and the angular densities' radial parts along u, plus
    // the densities' transverse parts; then the forces on i and j and the virial.
    private static readonly string AngularDerivativesCpp = """
              double const d[3] = {entry[2], entry[3], entry[4]};
              double const u[3] = {d[0] / r, d[1] / r, d[2] / r};
              double radial = 0.0;
              double g[3] = {0.0, 0.0, 0.0};
              // A sum that does not take this neighbour contributes nothing (even where its partial is not finite), nor
              // one the atom's energy does not depend on.
              for (int k = 0; k < kSums; ++k)
              {
                if (dEds[k] == 0.0 || entry[5 + 2 * kSums + k] == 0.0) continue;
                double const phi = entry[5 + k], dphi = entry[5 + kSums + k];
                int const l = kSumOrder[k];
                if (l < 0) { radial += dEds[k] * dphi; continue; }
                double gx, gy, gz;
                double const h = MomentProject(l, scaled + kMomentOffset[k], u[0], u[1], u[2], gx, gy, gz);
                radial += h * dphi - l * phi * h / r;
                g[0] += phi / r * gx; g[1] += phi / r * gy; g[2] += phi / r * gz;
              }
              for (int a = 0; a < 3; ++a) g[a] += radial * u[a];

        """ + PairGradientCpp("      ") + "\n";

    /// <summary>
    /// The C++ that applies g = ∂E_i/∂d of one neighbour j (d the vector from i to it; g and d indexable as [0..2]) to the
    /// forces on i (+g) and j (−g) and to the virial Σ d ⊗ g, symmetrised (a neighbour's term alone need not be symmetric
    /// where the energy depends on directions; the sum is); every line indented by <paramref name="indent"/>, no final
    /// newline. For the portable models whose forces have a transverse part (angular densities, moment tensors).
    /// </summary>
    internal static string PairGradientCpp(string indent) => string.Join("\n", PairGradientLines.Split('\n').Select(line => indent + line));

    private const string PairGradientLines = """
        if (forces)
          for (int a = 0; a < 3; ++a)
          {
            forces[3 * i + a] += g[a];
            forces[3 * j + a] -= g[a];
          }
        if (virial)
        {
          virial[0] += g[0] * d[0];
          virial[1] += g[1] * d[1];
          virial[2] += g[2] * d[2];
          virial[3] += 0.5 * (g[1] * d[2] + g[2] * d[1]);
          virial[4] += 0.5 * (g[0] * d[2] + g[2] * d[0]);
          virial[5] += 0.5 * (g[0] * d[1] + g[1] * d[0]);
        }
        """;

    /// <summary>
    /// The C++ shared by the portable models written here: the compute-argument routines, and the start of Compute up to
    /// the outputs set to zero (n, contributing, x, species, energy, forces, particleEnergy, virial and the model's
    /// Buffer * buffer in scope). The source must define struct Buffer (influenceDistance, cutoff,
    /// noNeighboursOfNoncontributing) and kCutoff before it.
    /// </summary>
    internal const string ComputeStart = """
        int ComputeArgumentsCreate(KIM::ModelCompute const * const,
                                   KIM::ModelComputeArgumentsCreate * const create)
        {
          int error = create->SetArgumentSupportStatus(KIM::COMPUTE_ARGUMENT_NAME::partialEnergy, KIM::SUPPORT_STATUS::optional)
              || create->SetArgumentSupportStatus(KIM::COMPUTE_ARGUMENT_NAME::partialForces, KIM::SUPPORT_STATUS::optional)
              || create->SetArgumentSupportStatus(KIM::COMPUTE_ARGUMENT_NAME::partialParticleEnergy, KIM::SUPPORT_STATUS::optional)
              || create->SetArgumentSupportStatus(KIM::COMPUTE_ARGUMENT_NAME::partialVirial, KIM::SUPPORT_STATUS::optional);
          return error;
        }

        int ComputeArgumentsDestroy(KIM::ModelCompute const * const, KIM::ModelComputeArgumentsDestroy * const)
        {
          return false;
        }

        int Compute(KIM::ModelCompute const * const modelCompute, KIM::ModelComputeArguments const * const arguments)
        {
          int const * count = NULL;
          int const * contributing = NULL;
          double const * x = NULL;
          int const * species = NULL;
          double * energy = NULL;
          double * forces = NULL;
          double * particleEnergy = NULL;
          double * virial = NULL;
          int error = arguments->GetArgumentPointer(KIM::COMPUTE_ARGUMENT_NAME::numberOfParticles, &count)
              || arguments->GetArgumentPointer(KIM::COMPUTE_ARGUMENT_NAME::particleContributing, &contributing)
              || arguments->GetArgumentPointer(KIM::COMPUTE_ARGUMENT_NAME::coordinates, &x)
              || arguments->GetArgumentPointer(KIM::COMPUTE_ARGUMENT_NAME::particleSpeciesCodes, &species)
              || arguments->GetArgumentPointer(KIM::COMPUTE_ARGUMENT_NAME::partialEnergy, &energy)
              || arguments->GetArgumentPointer(KIM::COMPUTE_ARGUMENT_NAME::partialForces, &forces)
              || arguments->GetArgumentPointer(KIM::COMPUTE_ARGUMENT_NAME::partialParticleEnergy, &particleEnergy)
              || arguments->GetArgumentPointer(KIM::COMPUTE_ARGUMENT_NAME::partialVirial, &virial);
          if (error)
          {
            modelCompute->LogEntry(KIM::LOG_VERBOSITY::error, "cannot get the compute arguments", __LINE__, __FILE__);
            return true;
          }
          Buffer * buffer = NULL;
          modelCompute->GetModelBufferPointer(reinterpret_cast<void **>(&buffer));
          int const n = *count;
          if (energy) *energy = 0.0;
          if (forces) for (int i = 0; i < 3 * n; ++i) forces[i] = 0.0;
          if (particleEnergy) for (int i = 0; i < n; ++i) particleEnergy[i] = 0.0;
          if (virial) for (int a = 0; a < 6; ++a) virial[a] = 0.0;
        """;

    /// <summary>The C++ of Destroy and of model_create: units, species codes k = <paramref name="species"/>[k], routines, one full neighbour list of cutoff kCutoff.</summary>
    internal static string ModelCreate(IEnumerable<string> species)
    {
        var speciesCodes = string.Join("\n", species.Select((s, code) =>
            $"  error = error || modelCreate->SetSpeciesCode(KIM::SpeciesName(\"{s}\"), {code});"));
        return $$"""
            int Destroy(KIM::ModelDestroy * const modelDestroy)
            {
              Buffer * buffer = NULL;
              modelDestroy->GetModelBufferPointer(reinterpret_cast<void **>(&buffer));
              delete buffer;
              return false;
            }
            }  // namespace

            extern "C" int model_create(KIM::ModelCreate * const modelCreate,
                                        KIM::LengthUnit const,
                                        KIM::EnergyUnit const,
                                        KIM::ChargeUnit const,
                                        KIM::TemperatureUnit const,
                                        KIM::TimeUnit const)
            {
              int error = modelCreate->SetUnits(KIM::LENGTH_UNIT::A, KIM::ENERGY_UNIT::eV, KIM::CHARGE_UNIT::unused,
                                                KIM::TEMPERATURE_UNIT::unused, KIM::TIME_UNIT::unused)
                  || modelCreate->SetModelNumbering(KIM::NUMBERING::zeroBased);
            {{speciesCodes}}
              error = error
                  || modelCreate->SetRoutinePointer(KIM::MODEL_ROUTINE_NAME::ComputeArgumentsCreate, KIM::LANGUAGE_NAME::cpp, true,
                                                    reinterpret_cast<KIM::Function *>(ComputeArgumentsCreate))
                  || modelCreate->SetRoutinePointer(KIM::MODEL_ROUTINE_NAME::Compute, KIM::LANGUAGE_NAME::cpp, true,
                                                    reinterpret_cast<KIM::Function *>(Compute))
                  || modelCreate->SetRoutinePointer(KIM::MODEL_ROUTINE_NAME::ComputeArgumentsDestroy, KIM::LANGUAGE_NAME::cpp, true,
                                                    reinterpret_cast<KIM::Function *>(ComputeArgumentsDestroy))
                  || modelCreate->SetRoutinePointer(KIM::MODEL_ROUTINE_NAME::Destroy, KIM::LANGUAGE_NAME::cpp, true,
                                                    reinterpret_cast<KIM::Function *>(Destroy));
              if (error) return true;
              Buffer * const buffer = new Buffer();
              buffer->influenceDistance = kCutoff;
              buffer->cutoff = kCutoff;
              buffer->noNeighboursOfNoncontributing = 1;
              modelCreate->SetModelBufferPointer(buffer);
              modelCreate->SetInfluenceDistancePointer(&buffer->influenceDistance);
              modelCreate->SetNeighborListPointers(1, &buffer->cutoff, &buffer->noNeighboursOfNoncontributing);
              return false;
            }
            """;
    }

    /// <summary>Text safe inside a // comment.</summary>
    private static string Comment(string s) => s.ReplaceLineEndings(" ");
}
