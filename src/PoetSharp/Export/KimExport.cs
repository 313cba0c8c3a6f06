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
        var sumElements = new List<int>();
        for (var i = 0; i < e.Length; i++) if (e.Nodes[i].Kind == NodeKind.Sum) sumElements.Add(e.Nodes[i].Element);
        var pairFunctions = new StringBuilder();
        var calls = new StringBuilder();
        var k = 0;
        for (var i = 0; i < e.Length; i++)
        {
            if (e.Nodes[i].Kind != NodeKind.Sum) continue;
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
        var arraySize = Math.Max(sums, 1);
        // Our evaluator drops pairs beyond the taper's end (f = 0 there, and g may not be finite); so does this one.
        var cutoff = CppExpressionWriter.Literal(Math.Min(model.Cutoff, model.Taper.Outer));
        var outer = CppExpressionWriter.Literal(model.Taper.Outer);
        var inner = CppExpressionWriter.Literal(model.Taper.Inner);
        return $$"""
            // KIM API 2 portable model {{name}}, written by PoetSharp (poet export --format kim).
            // Model {{Comment(model.Name)}}: E_i = {{Comment(e.ToString())}}
            // sum(g) = sum over neighbours j of g(r_ij) f(r_ij), f POET's taper from {{inner}} to {{outer}} Angstrom; E = sum_i E_i.
            // Units: Angstrom, eV.

            #include "KIM_ModelHeaders.hpp"
            
            #include <cmath>
            #include <cstddef>
            #include <vector>

            namespace
            {
            int const kSums = {{sums}};
            int const kElementOfCode[] = {{{elementOfCode}}};
            int const kSumElement[] = {{{sumElementList}}};
            double const kCutoff = {{cutoff}};
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

            {{pairFunctions}}// The atom energy from the sums s[k] and its partials dE/ds[k], for an atom of element z (atomic number).
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
                int used = 0;
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
                    if (takes[k] != 0.0) s[k] += gf[k];
                    else { gf[k] = 0.0; dgf[k] = 0.0; }
                  }
                  (void) gf; (void) dgf; (void) g; (void) dg;
                }
                double atomEnergy;
                double dEds[{{arraySize}}];
                Atom(s, kElementOfCode[species[i]], atomEnergy, dEds);
                if (energy) *energy += atomEnergy;
                if (particleEnergy) particleEnergy[i] = atomEnergy;
                if (!needDerivatives) continue;
                for (int p = 0; p < used; ++p)
                {
                  double const * const entry = &scratch[stride * p];
                  int const j = static_cast<int>(entry[0]);
                  double const r = entry[1];
                  double dEdr = 0.0;
                  // A sum that does not take this neighbour contributes nothing (even where its partial is not finite){{(e.IsSpeciesResolved ? ", nor one the atom's energy does not depend on (another element's)" : "")}}.
                  for (int k = 0; k < kSums; ++k)
                    if ({{(e.IsSpeciesResolved ? "dEds[k] != 0.0 && " : "")}}entry[5 + 2 * kSums + k] != 0.0) dEdr += dEds[k] * entry[5 + kSums + k];
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
                }
              }
              return false;
            }

            {{ModelCreate(model.Species)}}

            """;
    }

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
