using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Simulation;

namespace PoetSharp.Transport;

/// <summary>Ionic conductivity from a diffusivity by the Nernst–Einstein relation.</summary>
public static class NernstEinstein
{
    private const double ElementaryCharge = 1.602176634e-19; // C
    private const double Boltzmann = 1.380649e-23;           // J/K

    /// <summary>
    /// σ = N q² D / (V k_B T) in S/cm, for N ions of charge <paramref name="charge"/> (in e) in a volume (Å³), with D in cm²/s.
    /// With the tracer diffusivity this is σ assuming uncorrelated ions (Haven ratio 1); with the collective one it is the
    /// conductivity of that species including its cross-correlations.
    /// </summary>
    public static double Conductivity(int ions, double volume, double charge, double diffusivity, double temperature)
    {
        if (ions < 1 || !(volume > 0) || !(temperature > 0)) throw new ArgumentException("the Nernst–Einstein relation needs ions, a positive volume and a positive temperature");
        var density = ions / (volume * 1e-24); // ions per cm³
        var q = charge * ElementaryCharge;
        return density * q * q * diffusivity / (Boltzmann * temperature);
    }
}

/// <summary>Settings of <see cref="IonicTransport.Run"/>.</summary>
public sealed record IonicTransportSettings
{
    /// <summary>The mobile species (e.g. Li).</summary>
    public required string Species { get; init; }
    /// <summary>Its charge (e) for the Nernst–Einstein conductivity.</summary>
    public double Charge { get; init; } = 1;
    public long EquilibrationSteps { get; init; } = 5000;
    public long ProductionSteps { get; init; } = 50000;
    /// <summary>Record positions every this many steps.</summary>
    public int SampleEvery { get; init; } = 50;
    /// <summary>Blocks for the errors of the diffusivities.</summary>
    public int Blocks { get; init; } = 5;
    /// <summary>Lag window of the MSD fits (fs); null: 10–40 % of a block.</summary>
    public (double Start, double End)? Window { get; init; }
    /// <summary>Temperature the conductivity is extrapolated to (K).</summary>
    public double ReportTemperature { get; init; } = 300;
    /// <summary>Which diffusivity the extrapolated conductivity uses.</summary>
    public DisplacementKind ConductivityFrom { get; init; } = DisplacementKind.Tracer;
    /// <summary>Sites given by the user (null: found from the density of all runs).</summary>
    public Func<Cell, SiteSet>? Sites { get; init; }
    public SiteFinderSettings SiteFinder { get; init; } = new();
    public HopSettings Hops { get; init; } = new();
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

/// <summary>Transport of the mobile species at one temperature.</summary>
/// <param name="Directions">Tracer diffusivities along x, y and z.</param>
/// <param name="HavenRatio">D_tracer / D_collective, with its error propagated from both (NaN when D_collective ≤ 0).</param>
/// <param name="Conductivity">Nernst–Einstein σ at this temperature from the tracer and from the collective diffusivity (S/cm).</param>
/// <param name="ConvergedAfter">Run length (fs) after which the tracer D stays within 10 % of its final value.</param>
/// <param name="Converged">False when that holds only for the whole run: the MSD is not shown to have converged.</param>
public sealed record TransportAtTemperature(double Temperature, MdRunSummary Run, int Ions, double Volume, Diffusivity Tracer, Diffusivity Collective,
    Diffusivity[] Directions, double HavenRatio, double HavenRatioError, double TracerConductivity, double CollectiveConductivity,
    double ConvergedAfter, bool Converged, double WallSeconds)
{
    public DisplacementRecorder Displacements => Run.Displacements!;
}

/// <summary>The conductivity at the report temperature from an Arrhenius extrapolation, with its one-standard-error band (S/cm).</summary>
public sealed record ExtrapolatedConductivity(double Temperature, DisplacementKind From, double Value, double Low, double High, double Volume);

/// <summary>Everything <see cref="IonicTransport.Run"/> measures.</summary>
/// <param name="Collective">Arrhenius fit of the collective diffusivity, or null when it is not positive at every temperature.</param>
/// <param name="Directions">Arrhenius fits along x, y, z (null where a direction does not diffuse measurably at every temperature).</param>
/// <param name="Failed">Temperatures whose run blew up or did not hold its temperature, with the reason; left out of every fit.</param>
public sealed record IonicTransportResult(IonicTransportSettings Settings, MdSettings Md, string Potential, int Atoms, TransportAtTemperature[] Runs,
    ArrheniusFit Tracer, ArrheniusFit? Collective, ArrheniusFit?[] Directions, ExtrapolatedConductivity? Conductivity, string ConductivityNote,
    SiteSet Sites, HopStatistics[] Hops, (double Temperature, string Reason)[] Failed);

/// <summary>
/// Diffusion of one species over several temperatures: an equilibration and a production run per temperature (in
/// parallel, each with its own seed), the tracer, collective and per-direction diffusivities with block errors, the Haven
/// ratio, the Nernst–Einstein conductivity, Arrhenius fits and the extrapolation to the report temperature, and the hops
/// between sites (found from the density of all runs, or given) with their rates and correlation.
/// </summary>
public static class IonicTransport
{
    public static IonicTransportResult Run(IPotential potential, Structure structure, IReadOnlyList<double> temperatures, MdSettings md,
        IonicTransportSettings settings, Action<TransportAtTemperature>? finished = null, Action<double, string>? failed = null)
    {
        if (temperatures.Count < 2) throw new ArgumentException("an Arrhenius plot needs at least two temperatures");
        if (!md.IsThermostatted) throw new ArgumentException("diffusion runs need a thermostat (nvt, langevin or npt)");
        if (!structure.Cell.FullyPeriodic) throw new ArgumentException("ionic transport needs a fully periodic cell");
        if (!structure.Species.Contains(settings.Species))
            throw new ArgumentException($"the structure has no {settings.Species} (it has {string.Join(", ", structure.DistinctSpecies())})");
        if (settings.SampleEvery < 1) throw new ArgumentException("the sampling interval must be at least one step");
        var all = new TransportAtTemperature?[temperatures.Count];
        var failures = new string?[temperatures.Count];
        Parallel.For(0, temperatures.Count, new ParallelOptions { MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism }, k =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var t = temperatures[k];
            try
            {
                var dynamics = new MolecularDynamics(potential, structure, md with { Temperature = t, Seed = md.Seed + (ulong)k });
                dynamics.Run(settings.EquilibrationSteps);
                var summary = MdRun.Execute(dynamics, new MdRunOptions
                {
                    Steps = settings.ProductionSteps, ThermoEvery = 0, DisplacementEvery = settings.SampleEvery,
                    DisplacementSpecies = settings.Species, DiffusionWindow = settings.Window, DiffusionBlocks = settings.Blocks,
                });
                // A thermostat that did not hold its temperature (within 10 %) measured something else.
                if (Math.Abs(summary.MeanTemperature - t) > 0.1 * t)
                    failures[k] = FormattableString.Invariant($"the mean temperature was {summary.MeanTemperature:F1} K, not {t:G5} K");
                else all[k] = Analyse(t, summary, settings, clock.Elapsed.TotalSeconds);
            }
            catch (MdInstabilityException e)
            {
                // One temperature that blows up (typically the hottest, driven outside the potential's data) should not
                // cost the others: it is reported and left out of the fits.
                failures[k] = e.Message;
            }
            lock (all)
            {
                if (all[k] is { } done) finished?.Invoke(done);
                else failed?.Invoke(t, failures[k]!);
            }
        });
        var failedRuns = temperatures.Select((t, k) => (t, failures[k])).Where(p => p.Item2 is not null).Select(p => (p.t, p.Item2!)).ToArray();
        var runs = all.Where(r => r is not null).Select(r => r!).ToArray();
        if (runs.Length < 2)
            throw new ArgumentException($"fewer than two temperatures ran to the end: " + string.Join("; ", failedRuns.Select(f => FormattableString.Invariant($"{f.Item1:G5} K: {f.Item2}"))));

        var tracer = ArrheniusFit.Fit(Points(runs, r => r.Tracer));
        var collective = runs.All(r => r.Collective.Value > 0) ? ArrheniusFit.Fit(Points(runs, r => r.Collective)) : null;
        var directions = Enumerable.Range(0, 3).Select(a => runs.All(r => r.Directions[a].Value > 0) ? ArrheniusFit.Fit(Points(runs, r => r.Directions[a])) : null).ToArray();

        // The conductivity at the report temperature: the chosen diffusivity's Arrhenius line there, at the density of
        // the coldest run (its mean volume: the closest to the report temperature that was simulated).
        var coldest = runs.OrderBy(r => r.Temperature).First();
        var fit = settings.ConductivityFrom == DisplacementKind.Tracer ? tracer : collective;
        ExtrapolatedConductivity? conductivity = null;
        string note;
        if (fit is null)
            note = "the collective diffusivity is not positive at every temperature, so it has no Arrhenius fit; use the tracer diffusivity or run longer";
        else
        {
            var (d, lo, hi) = fit.BandAt(settings.ReportTemperature);
            double Sigma(double diffusivity) => NernstEinstein.Conductivity(coldest.Ions, coldest.Volume, settings.Charge, diffusivity, settings.ReportTemperature);
            conductivity = new ExtrapolatedConductivity(settings.ReportTemperature, settings.ConductivityFrom, Sigma(d), Sigma(lo), Sigma(hi), coldest.Volume);
            note = settings.ConductivityFrom == DisplacementKind.Tracer
                ? "Nernst–Einstein with the tracer diffusivity (Haven ratio taken as 1)"
                : "Nernst–Einstein with the collective diffusivity (cross-correlations included)";
        }

        var recorders = runs.Select(r => r.Displacements).ToArray();
        var sites = settings.Sites is { } given ? given(recorders[0].MeanCell()) : SiteFinder.FromDensity(recorders, settings.SiteFinder);
        var hops = runs.Select((r, k) => HopAnalysis.Analyse(r.Displacements, sites, settings.Hops with { Seed = settings.Hops.Seed + (ulong)k })).ToArray();
        return new IonicTransportResult(settings, md, potential.Name, structure.Count, runs, tracer, collective, directions, conductivity, note, sites, hops, failedRuns);
    }

    private static ArrheniusPoint[] Points(IEnumerable<TransportAtTemperature> runs, Func<TransportAtTemperature, Diffusivity> pick) =>
        runs.Select(r => new ArrheniusPoint(r.Temperature, pick(r).InSquareCentimetresPerSecond, pick(r).StandardErrorInSquareCentimetresPerSecond)).ToArray();

    /// <summary>The diffusivities, Haven ratio, conductivities and convergence of one run.</summary>
    public static TransportAtTemperature Analyse(double temperature, MdRunSummary run, IonicTransportSettings settings, double wallSeconds)
    {
        var recorder = run.Displacements ?? throw new ArgumentException("the run recorded no displacements");
        var (lo, hi) = settings.Window ?? recorder.DefaultWindow(settings.Blocks);
        var tracer = recorder.Diffusivity(lo, hi, settings.Blocks, DisplacementKind.Tracer);
        var collective = recorder.Diffusivity(lo, hi, settings.Blocks, DisplacementKind.Collective);
        var directions = Enumerable.Range(0, 3).Select(a => recorder.Diffusivity(lo, hi, settings.Blocks, DisplacementKind.Tracer, a)).ToArray();
        double haven = double.NaN, havenError = double.NaN;
        if (collective.Value > 0 && tracer.Value > 0)
        {
            haven = tracer.Value / collective.Value;
            havenError = haven * Math.Sqrt(Math.Pow(tracer.StandardError / tracer.Value, 2) + Math.Pow(collective.StandardError / collective.Value, 2));
        }
        var ions = recorder.AtomCount;
        var volume = run.MeanVolume;
        double Sigma(Diffusivity d) => NernstEinstein.Conductivity(ions, volume, settings.Charge, d.InSquareCentimetresPerSecond, temperature);
        var (after, converged) = ConvergedAfter(recorder, lo, hi, tracer);
        return new TransportAtTemperature(temperature, run, ions, volume, tracer, collective, directions, haven, havenError,
            Sigma(tracer), Sigma(collective), after, converged, wallSeconds);
    }

    /// <summary>
    /// How long the run had to be: D from the first 20 %, 30 %, …, 100 % of the frames (same lag window); the shortest
    /// length from which every longer one is within 10 % of the whole run's D. A statement about the estimate settling,
    /// kept apart from its statistical error (the blocks'): a rate that drifts during the run is never "converged".
    /// </summary>
    public static (double Time, bool Converged) ConvergedAfter(DisplacementRecorder recorder, double lo, double hi, Diffusivity final)
    {
        var tolerance = 0.1 * Math.Abs(final.Value);
        var total = recorder.FrameCount;
        var converged = total;
        for (var tenth = 9; tenth >= 2; tenth--)
        {
            var frames = total * tenth / 10;
            if (frames <= (int)Math.Round(hi / recorder.Interval) + 2) break;
            var d = recorder.Diffusivity(lo, hi, 1, DisplacementKind.Tracer, frames: frames).Value;
            if (Math.Abs(d - final.Value) > tolerance) break;
            converged = frames;
        }
        return ((converged - 1) * recorder.Interval, converged < total);
    }
}
