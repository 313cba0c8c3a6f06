using PoetSharp.Models;
using PoetSharp.Potentials;

namespace PoetSharp.Search;

/// <summary>The verdict of a rediscovery check (<see cref="RecoveryTarget.Check"/>).</summary>
public sealed record RecoveryVerdict(bool Found, string Detail);

/// <summary>
/// A known potential that a search should rediscover from the data it generated: where the data are (a path under the
/// repository's data/ folder), what the search
/// fits (taper, weights of energies, forces and stresses) and how to judge a model. Only the judgement is here: a
/// search that used the answer's form to pick which models to look at would not be a rediscovery.
/// </summary>
public sealed record RecoveryTarget(string Key, string Name, string DataFolder, Taper Taper, string TrueForm,
    Func<Expression, Taper, RecoveryVerdict> Check)
{
    public Fitting.ObjectiveWeights Weights { get; init; } = Fitting.ObjectiveWeights.Default;

    /// <summary>Sutton–Chen copper from data/poet/EAM_Cu (POET's headline experiment).</summary>
    public static RecoveryTarget SuttonChen { get; } = new("sc", "Sutton–Chen copper", "poet/EAM_Cu", Taper.Copper, SuttonChenRecovery.TrueForm,
        SuttonChenRecovery.Check);

    /// <summary>
    /// Lennard-Jones argon from data/poet/LJ_Ar, fitted to energies and forces only: the data's README says POET itself
    /// computed their stresses (LAMMPS the rest), and they are not those of the tapered LJ that gave the energies and
    /// forces (fitted with them, the r⁻⁶ exponent moves to −6.0036; without, both exponents come out within 4e-5).
    /// </summary>
    public static RecoveryTarget LennardJones { get; } = new("lj", "Lennard-Jones argon", "poet/LJ_Ar", LennardJonesRecovery.Taper, LennardJonesRecovery.TrueForm,
        LennardJonesRecovery.Check) { Weights = new Fitting.ObjectiveWeights(1, 1, 0) };

    /// <summary>The Rafii-Tabar–Sutton copper–nickel alloy from data/alloy/CuNi_RTS: a model of two elements.</summary>
    public static RecoveryTarget Alloy { get; } = new("alloy", "the Rafii-Tabar–Sutton Cu–Ni alloy", "alloy/CuNi_RTS/CuNi_RTS.xyz", Taper.Copper,
        AlloyRecovery.TrueForm, AlloyRecovery.Check);

    public static IReadOnlyList<RecoveryTarget> All { get; } = [SuttonChen, LennardJones, Alloy];

    public static RecoveryTarget Parse(string key) => All.FirstOrDefault(t => string.Equals(t.Key, key, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"--target '{key}': expected {string.Join(" or ", All.Select(t => t.Key))}");
}
