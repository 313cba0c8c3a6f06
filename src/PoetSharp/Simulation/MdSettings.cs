namespace PoetSharp.Simulation;

/// <summary>The statistical ensemble a molecular-dynamics run samples.</summary>
public enum Ensemble
{
    /// <summary>Constant energy: plain velocity Verlet.</summary>
    Nve,
    /// <summary>Constant temperature by a Langevin thermostat (BAOAB splitting of Leimkuhler and Matthews).</summary>
    Langevin,
    /// <summary>Constant temperature by a Nosé–Hoover chain (Martyna, Klein and Tuckerman 1992).</summary>
    NoseHoover,
    /// <summary>Constant temperature and pressure, one strain rate for the whole cell (MTK barostat, Nosé–Hoover chains).</summary>
    NptIsotropic,
    /// <summary>Constant temperature and pressure, independent strain rates along x, y and z (MTK barostat).</summary>
    NptAnisotropic,
}

/// <summary>Settings of a molecular-dynamics run. Units: fs, K, Å, and eV/Å³ for the target pressure (compression positive).</summary>
public sealed record MdSettings
{
    /// <summary>Integration time step (fs).</summary>
    public double TimeStep { get; init; } = 2.0;

    public Ensemble Ensemble { get; init; } = Ensemble.Nve;

    /// <summary>Target temperature (K) of the thermostat; ignored in NVE.</summary>
    public double Temperature { get; init; } = 300;

    /// <summary>Thermostat time (fs): the Langevin damping time 1/γ, or the period of the Nosé–Hoover chain.</summary>
    public double ThermostatTime { get; init; } = 100;

    /// <summary>Number of thermostats in each Nosé–Hoover chain (LAMMPS uses 3 by default).</summary>
    public int ChainLength { get; init; } = 3;

    /// <summary>Target pressure (eV/Å³, compression positive) of the barostat.</summary>
    public double Pressure { get; init; }

    /// <summary>Barostat period (fs).</summary>
    public double BarostatTime { get; init; } = 1000;

    /// <summary>Neighbour-list skin (Å): the list holds pairs within cutoff + skin and is rebuilt once an atom may have crossed it.</summary>
    public double Skin { get; init; } = 1.0;

    /// <summary>Seed of the random numbers (initial velocities, Langevin noise).</summary>
    public ulong Seed { get; init; } = 1;

    public bool IsThermostatted => Ensemble != Ensemble.Nve;
    public bool IsBarostatted => Ensemble is Ensemble.NptIsotropic or Ensemble.NptAnisotropic;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(TimeStep > 0) || !double.IsFinite(TimeStep)) throw new ArgumentException($"the time step must be positive (got {TimeStep} fs)");
        if (IsThermostatted && (!(Temperature > 0) || !double.IsFinite(Temperature)))
            throw new ArgumentException($"a thermostat needs a positive temperature (got {Temperature} K)");
        if (IsThermostatted && (!(ThermostatTime > 0) || !double.IsFinite(ThermostatTime)))
            throw new ArgumentException($"the thermostat time must be positive (got {ThermostatTime} fs)");
        if (ChainLength < 1) throw new ArgumentException($"a Nosé–Hoover chain needs at least one thermostat (got {ChainLength})");
        if (IsBarostatted && (!(BarostatTime > 0) || !double.IsFinite(BarostatTime)))
            throw new ArgumentException($"the barostat time must be positive (got {BarostatTime} fs)");
        if (!double.IsFinite(Pressure)) throw new ArgumentException("the target pressure must be finite");
        if (!(Skin >= 0) || !double.IsFinite(Skin)) throw new ArgumentException($"the neighbour skin must be ≥ 0 (got {Skin} Å)");
    }
}

/// <summary>A molecular-dynamics run that blew up (non-finite energy or runaway temperature), with where and how.</summary>
public sealed class MdInstabilityException(long step, double time, double potentialEnergy, double temperature, string message) : Exception(message)
{
    public long Step { get; } = step;
    /// <summary>Simulated time (fs).</summary>
    public double Time { get; } = time;
    public double PotentialEnergy { get; } = potentialEnergy;
    public double Temperature { get; } = temperature;
}
