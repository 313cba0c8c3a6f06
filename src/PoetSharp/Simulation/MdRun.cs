using System.Diagnostics;
using PoetSharp.Atoms;
using PoetSharp.Data;

namespace PoetSharp.Simulation;

/// <summary>One line of thermodynamic output. Energies in eV, pressure in eV/Å³ (compression positive), volume in Å³.</summary>
public readonly record struct ThermoRecord(long Step, double Time, double Temperature, double PotentialEnergy, double KineticEnergy,
    double TotalEnergy, double ConservedEnergy, double Pressure, double Volume)
{
    public static ThermoRecord Of(MolecularDynamics md) => new(md.Step, md.Time, md.Temperature, md.PotentialEnergy, md.KineticEnergy,
        md.TotalEnergy, md.ConservedEnergy, md.Pressure, md.Volume);
}

/// <summary>What a run writes and measures besides advancing the dynamics.</summary>
public sealed record MdRunOptions
{
    public long Steps { get; init; } = 1000;
    /// <summary>Thermo output every this many steps (0: none but the first and last).</summary>
    public int ThermoEvery { get; init; } = 100;
    /// <summary>Extended-XYZ trajectory file (positions unwrapped, energy, forces, stress), or null.</summary>
    public string? TrajectoryPath { get; init; }
    public int TrajectoryEvery { get; init; } = 100;
    /// <summary>Restart file written every <see cref="RestartEvery"/> steps and at the end, or null.</summary>
    public string? RestartPath { get; init; }
    public int RestartEvery { get; init; } = 10000;
    /// <summary>Record displacements every this many steps for the diffusivity (0: don't).</summary>
    public int DisplacementEvery { get; init; }
    /// <summary>Lag window (fs) of the MSD fit; null: from 10 % to 40 % of the run.</summary>
    public (double Start, double End)? DiffusionWindow { get; init; }
    public int DiffusionBlocks { get; init; } = 5;
    /// <summary>Follow only atoms of this element for the diffusivity (null: all atoms).</summary>
    public string? DisplacementSpecies { get; init; }
    /// <summary>Stops the run early when set (Ctrl-C): the restart file is still written.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>The outcome of a run: averages, the drift of the conserved quantity, speed, and the diffusivity if asked.</summary>
/// <param name="ConservedDrift">Slope of a straight line fitted to the conserved quantity per atom against time (eV/atom/ps).</param>
/// <param name="SecondsPerStep">Wall time per step, including output.</param>
/// <param name="Displacements">The recorded frames (for further analysis: directions, collective diffusion, hops), when displacements were recorded.</param>
public sealed record MdRunSummary(long Steps, double MeanTemperature, double MeanPressure, double MeanVolume, double MeanPotentialEnergy,
    double ConservedDrift, double SecondsPerStep, int NeighbourListBuilds, Diffusivity? Diffusivity, bool Cancelled,
    DisplacementRecorder? Displacements = null)
{
    /// <summary>Atom-steps per second.</summary>
    public double AtomStepsPerSecond(int atoms) => atoms / SecondsPerStep;
}

/// <summary>Runs molecular dynamics with thermo output, trajectory, restart files and diffusion measurement.</summary>
public static class MdRun
{
    public static MdRunSummary Execute(MolecularDynamics md, MdRunOptions options, Action<ThermoRecord>? thermo = null)
    {
        if (options.Steps < 0) throw new ArgumentException($"the number of steps must be ≥ 0 (got {options.Steps})");
        if (options.TrajectoryPath is not null && options.TrajectoryEvery < 1) throw new ArgumentException("the trajectory interval must be ≥ 1 step");
        if (options.RestartPath is not null && options.RestartEvery < 1) throw new ArgumentException("the restart interval must be ≥ 1 step");

        using var trajectory = options.TrajectoryPath is { } t ? new StreamWriter(t) : null;
        var recorder = options.DisplacementEvery > 0 ? new DisplacementRecorder(md.Structure, options.DisplacementEvery * md.Settings.TimeStep, options.DisplacementSpecies) : null;
        var atoms = md.Structure.Count;
        double sumT = 0, sumP = 0, sumV = 0, sumE = 0;
        // Least-squares slope of the conserved quantity per atom against time, accumulated on the fly.
        double st = 0, sc = 0, stt = 0, stc = 0;
        long samples = 0;
        var first = md.Step;

        void Sample()
        {
            sumT += md.Temperature; sumP += md.Pressure; sumV += md.Volume; sumE += md.PotentialEnergy;
            var time = (md.Step - first) * md.Settings.TimeStep / 1000; // ps
            var c = md.ConservedEnergy / atoms;
            st += time; sc += c; stt += time * time; stc += time * c;
            samples++;
        }
        void Output(bool force)
        {
            var done = md.Step - first;
            if (thermo is not null && (force || (options.ThermoEvery > 0 && done % options.ThermoEvery == 0))) thermo(ThermoRecord.Of(md));
            if (trajectory is not null && done % options.TrajectoryEvery == 0) WriteFrame(trajectory, md);
            if (recorder is not null && done % options.DisplacementEvery == 0) recorder.Add(md.Structure.Positions, md.Structure.Cell);
        }

        var clock = Stopwatch.StartNew();
        Sample();
        Output(force: true);
        var cancelled = false;
        for (long s = 0; s < options.Steps; s++)
        {
            if (options.Cancellation.IsCancellationRequested) { cancelled = true; break; }
            md.Advance();
            Sample();
            var done = md.Step - first;
            Output(force: done == options.Steps);
            if (options.RestartPath is not null && done % options.RestartEvery == 0 && done != options.Steps) md.SaveRestart(options.RestartPath);
        }
        if (cancelled && thermo is not null) thermo(ThermoRecord.Of(md));
        if (options.RestartPath is not null) md.SaveRestart(options.RestartPath);
        clock.Stop();

        var steps = md.Step - first;
        var drift = samples > 2 ? (samples * stc - st * sc) / (samples * stt - st * st) : double.NaN;
        Diffusivity? diffusivity = null;
        if (recorder is not null && recorder.FrameCount > 2)
        {
            var (lo, hi) = options.DiffusionWindow ?? recorder.DefaultWindow(options.DiffusionBlocks);
            diffusivity = recorder.Diffusivity(lo, hi, options.DiffusionBlocks);
        }
        return new MdRunSummary(steps, sumT / samples, sumP / samples, sumV / samples, sumE / samples, drift,
            steps > 0 ? clock.Elapsed.TotalSeconds / steps : double.NaN, md.NeighbourListBuilds, diffusivity, cancelled, recorder);
    }

    private static void WriteFrame(TextWriter writer, MolecularDynamics md)
    {
        var frame = md.Structure.Clone();
        frame.Name = $"step {md.Step}";
        frame.Energy = md.PotentialEnergy;
        frame.Forces = md.Forces.ToArray();
        if (frame.Cell.FullyPeriodic) frame.Stress = md.VirialStress;
        ExtendedXyz.Write(writer, [frame]);
        writer.Flush();
    }
}
