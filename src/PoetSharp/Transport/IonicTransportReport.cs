using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PoetSharp.Simulation;

namespace PoetSharp.Transport;

/// <summary>A migration barrier to report beside the MD activation energy (from a nudged elastic band).</summary>
public sealed record BarrierSummary(string Description, double Forward, double Backward, bool Converged, string Reason);

/// <summary>
/// Writes the folder a user pastes into a lab notebook: summary.md (inputs, tables, fits, conductivity, hops, barrier),
/// the Arrhenius plot with its extrapolation band and the MSD plot (PNG and SVG), CSV tables, the sites and report.json.
/// </summary>
public static class IonicTransportReport
{
    public static IReadOnlyList<string> Write(string folder, IonicTransportResult result, BarrierSummary? barrier = null, string? command = null)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        string Path_(string name) { var p = Path.Combine(folder, name); written.Add(name); return p; }
        var species = result.Settings.Species;

        var series = new List<(string, ArrheniusFit)> { ($"{species} tracer D*", result.Tracer) };
        if (result.Collective is { } c) series.Add(($"{species} collective D_σ", c));
        foreach (var ext in new[] { "png", "svg" })
            ArrheniusPlot.Save(Path_($"arrhenius.{ext}"), series, "D (cm²/s)", result.Settings.ReportTemperature);
        foreach (var ext in new[] { "png", "svg" }) MsdPlot(Path_($"msd.{ext}"), result);

        File.WriteAllText(Path_("transport.csv"), TransportCsv(result));
        File.WriteAllText(Path_("hops.csv"), HopsCsv(result));
        File.WriteAllText(Path_("transitions.csv"), TransitionsCsv(result));
        result.Sites.Write(Path_("sites.txt"));
        File.WriteAllText(Path_("report.json"), Json(result, barrier));
        File.WriteAllText(Path_("summary.md"), Summary(result, barrier, command));
        return written;
    }

    private static string F(FormattableString s) => FormattableString.Invariant(s);

    private static void MsdPlot(string path, IonicTransportResult result)
    {
        var plot = new ScottPlot.Plot();
        foreach (var run in result.Runs.OrderBy(r => r.Temperature))
        {
            var recorder = run.Displacements;
            var maxLag = Math.Max(1, (int)Math.Round(run.Tracer.WindowEnd / recorder.Interval * 2));
            var msd = recorder.MeanSquaredDisplacement(maxLag);
            var xs = Enumerable.Range(0, msd.Length).Select(k => k * recorder.Interval / 1000).ToArray();
            var line = plot.Add.ScatterLine(xs, msd);
            line.LegendText = F($"{run.Temperature:G4} K");
        }
        plot.ShowLegend();
        plot.XLabel("lag time (ps)");
        plot.YLabel($"{result.Settings.Species} tracer MSD (Å²)");
        plot.Title("Mean-squared displacement");
        Properties.PropertyPlots.Save(plot, path, 700, 500);
    }

    private static string TransportCsv(IonicTransportResult result)
    {
        var b = new StringBuilder("temperature_K,mean_temperature_K,mean_volume_A3,ions,D_tracer_cm2_s,D_tracer_err,D_collective_cm2_s,D_collective_err,D_x_cm2_s,D_x_err,D_y_cm2_s,D_y_err,D_z_cm2_s,D_z_err,haven_ratio,haven_ratio_err,sigma_tracer_S_cm,sigma_collective_S_cm,msd_converged_after_ps,msd_converged,conserved_drift_eV_atom_ps,production_ps,wall_s,us_per_atom_step\n");
        foreach (var r in result.Runs.OrderBy(r => r.Temperature))
        {
            b.Append(F($"{r.Temperature},{r.Run.MeanTemperature:F2},{r.Volume:F3},{r.Ions},{r.Tracer.InSquareCentimetresPerSecond:E4},{r.Tracer.StandardErrorInSquareCentimetresPerSecond:E3},"));
            b.Append(F($"{r.Collective.InSquareCentimetresPerSecond:E4},{r.Collective.StandardErrorInSquareCentimetresPerSecond:E3},"));
            foreach (var d in r.Directions) b.Append(F($"{d.InSquareCentimetresPerSecond:E4},{d.StandardErrorInSquareCentimetresPerSecond:E3},"));
            b.Append(F($"{r.HavenRatio:F3},{r.HavenRatioError:F3},{r.TracerConductivity:E4},{r.CollectiveConductivity:E4},{r.ConvergedAfter / 1000:F1},{r.Converged},"));
            b.Append(F($"{r.Run.ConservedDrift:E3},{r.Run.Steps * result.Md.TimeStep / 1000:F1},{r.WallSeconds:F1},{r.Run.SecondsPerStep / result.Atoms * 1e6:F3}\n"));
        }
        return b.ToString();
    }

    private static string HopsCsv(IonicTransportResult result)
    {
        var b = new StringBuilder("temperature_K,site_type,sites,hops,residence_ps,rate_per_ps,occupancy\n");
        foreach (var (run, hops) in result.Runs.Zip(result.Hops).OrderBy(p => p.First.Temperature))
            foreach (var rate in hops.Rates)
                b.Append(F($"{run.Temperature},{rate.Type},{rate.Sites},{rate.Hops},{rate.Residence / 1000:F2},{rate.Rate:E4},{rate.Occupancy:F4}\n"));
        return b.ToString();
    }

    private static string TransitionsCsv(IonicTransportResult result)
    {
        var b = new StringBuilder("temperature_K,from_type,to_type,hops,mean_distance_A\n");
        foreach (var (run, hops) in result.Runs.Zip(result.Hops).OrderBy(p => p.First.Temperature))
            foreach (var t in hops.Transitions)
                b.Append(F($"{run.Temperature},{t.From},{t.To},{t.Hops},{t.MeanDistance:F3}\n"));
        return b.ToString();
    }

    private static object? Fit(ArrheniusFit? fit) => fit is null ? null : new
    {
        activation_energy_eV = fit.ActivationEnergy, activation_energy_error_eV = fit.ActivationEnergyError,
        prefactor_cm2_per_s = fit.Prefactor, prefactor_error_cm2_per_s = fit.PrefactorError,
    };

    private static string Json(IonicTransportResult result, BarrierSummary? barrier)
    {
        var s = result.Settings;
        var doc = new
        {
            potential = result.Potential, atoms = result.Atoms, species = s.Species, charge = s.Charge,
            ensemble = result.Md.Ensemble.ToString(), timestep_fs = result.Md.TimeStep,
            equilibration_steps = s.EquilibrationSteps, production_steps = s.ProductionSteps, sample_every = s.SampleEvery, blocks = s.Blocks,
            arrhenius = new { tracer = Fit(result.Tracer), collective = Fit(result.Collective), x = Fit(result.Directions[0]), y = Fit(result.Directions[1]), z = Fit(result.Directions[2]) },
            conductivity = result.Conductivity is { } c ? new
            {
                temperature_K = c.Temperature, from = c.From.ToString().ToLowerInvariant(), S_per_cm = c.Value, low_S_per_cm = c.Low, high_S_per_cm = c.High,
                volume_A3 = c.Volume, note = result.ConductivityNote,
            } : null,
            conductivity_note = result.ConductivityNote,
            sites = result.Sites.Types.Select(t => new { type = t, count = result.Sites.Sites.Count(x => x.Type == t), description = result.Sites.Descriptions.GetValueOrDefault(t) }),
            runs = result.Runs.Zip(result.Hops).OrderBy(p => p.First.Temperature).Select(p => new
            {
                temperature_K = p.First.Temperature, mean_temperature_K = p.First.Run.MeanTemperature, mean_volume_A3 = p.First.Volume,
                tracer_cm2_per_s = p.First.Tracer.InSquareCentimetresPerSecond, tracer_error = p.First.Tracer.StandardErrorInSquareCentimetresPerSecond,
                collective_cm2_per_s = p.First.Collective.InSquareCentimetresPerSecond, collective_error = p.First.Collective.StandardErrorInSquareCentimetresPerSecond,
                directions_cm2_per_s = p.First.Directions.Select(d => d.InSquareCentimetresPerSecond),
                haven_ratio = p.First.HavenRatio, haven_ratio_error = p.First.HavenRatioError,
                sigma_tracer_S_per_cm = p.First.TracerConductivity, sigma_collective_S_per_cm = p.First.CollectiveConductivity,
                msd_converged_after_ps = p.First.ConvergedAfter / 1000, msd_converged = p.First.Converged,
                conserved_drift_eV_per_atom_per_ps = p.First.Run.ConservedDrift, wall_s = p.First.WallSeconds,
                hops = p.Second.Hops.Count, return_fraction = p.Second.ReturnFraction, capture_radius_A = p.Second.CaptureRadius,
                concerted = new
                {
                    time_window_fs = p.Second.Concerted.TimeWindow, distance_window_A = p.Second.Concerted.DistanceWindow,
                    fraction = p.Second.Concerted.Fraction, uncorrelated_fraction = p.Second.Concerted.UncorrelatedFraction,
                    uncorrelated_spread = p.Second.Concerted.UncorrelatedSpread, trials = p.Second.Concerted.Trials,
                },
                concerted_scan = p.Second.ConcertedScan.Select(c => new
                {
                    time_window_fs = c.TimeWindow, distance_window_A = c.DistanceWindow, fraction = c.Fraction,
                    uncorrelated_fraction = c.UncorrelatedFraction, uncorrelated_spread = c.UncorrelatedSpread,
                }),
                rates = p.Second.Rates.Select(r => new { type = r.Type, sites = r.Sites, hops = r.Hops, rate_per_ps = r.Rate, occupancy = r.Occupancy }),
            }),
            failed = result.Failed.Select(f => new { temperature_K = f.Temperature, reason = f.Reason }),
            barrier = barrier is null ? null : new { description = barrier.Description, forward_eV = barrier.Forward, backward_eV = barrier.Backward, converged = barrier.Converged, reason = barrier.Reason },
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions
        {
            WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        });
    }

    private static string Summary(IonicTransportResult result, BarrierSummary? barrier, string? command)
    {
        var s = result.Settings;
        var sp = s.Species;
        var runs = result.Runs.OrderBy(r => r.Temperature).ToArray();
        var b = new StringBuilder();
        b.AppendLine($"# {sp} transport with {result.Potential}");
        b.AppendLine();
        if (command is not null) b.AppendLine($"`{command}`").AppendLine();
        b.AppendLine(F($"{result.Atoms} atoms ({runs[0].Ions} {sp}); {EnsembleName(result.Md)} MD, time step {result.Md.TimeStep} fs; at each temperature {s.EquilibrationSteps * result.Md.TimeStep / 1000:G4} ps of equilibration, then {s.ProductionSteps * result.Md.TimeStep / 1000:G4} ps recorded every {s.SampleEvery * result.Md.TimeStep:G4} fs. "));
        b.AppendLine(F($"Diffusivities from linear fits of the mean-squared displacement over lags {runs[0].Tracer.WindowStart / 1000:G4}–{runs[0].Tracer.WindowEnd / 1000:G4} ps (drift of the host framework removed), errors from {s.Blocks} independent blocks. Tracer D* = ⟨|Δr_i|²⟩/6t; collective D_σ = ⟨|Σ_i Δr_i|²⟩/6Nt; Haven ratio H = D*/D_σ."));
        b.AppendLine();
        b.AppendLine("## Diffusivities");
        b.AppendLine();
        b.AppendLine("| T (K) | ⟨T⟩ (K) | V (Å³) | D* (cm²/s) | D_σ (cm²/s) | D_x | D_y | D_z | H | σ* (mS/cm) | MSD converged after (ps) | drift (eV/atom/ps) | wall (s) |");
        b.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in runs)
            b.AppendLine(F($"| {r.Temperature:G5} | {r.Run.MeanTemperature:F1} | {r.Volume:F1} | {Pm(r.Tracer)} | {Pm(r.Collective)} | {r.Directions[0].InSquareCentimetresPerSecond:0.00e+00} | {r.Directions[1].InSquareCentimetresPerSecond:0.00e+00} | {r.Directions[2].InSquareCentimetresPerSecond:0.00e+00} | {r.HavenRatio:F2} ± {r.HavenRatioError:F2} | {r.TracerConductivity * 1000:G3} | {r.ConvergedAfter / 1000:F0}{(r.Converged ? "" : " (not shown: run longer)")} | {r.Run.ConservedDrift:0.00e+00} | {r.WallSeconds:F0} |"));
        foreach (var (t, reason) in result.Failed)
            b.AppendLine().Append(F($"**{t:G5} K failed and is left out of every fit:** {reason}.")).AppendLine();
        b.AppendLine();
        b.AppendLine("## Arrhenius fits, D = D0 exp(−Ea / k_B T)");
        b.AppendLine();
        b.AppendLine("| diffusivity | Ea (eV) | D0 (cm²/s) |");
        b.AppendLine("|---|---|---|");
        void Row(string name, ArrheniusFit? fit)
        {
            if (fit is null) b.AppendLine($"| {name} | not positive at every temperature | |");
            else b.AppendLine(F($"| {name} | {fit.ActivationEnergy:F3} ± {fit.ActivationEnergyError:F3} | {fit.Prefactor:0.00e+00} ± {fit.PrefactorError:0.0e+00} |"));
        }
        Row("tracer D*", result.Tracer);
        Row("collective D_σ", result.Collective);
        Row("x", result.Directions[0]);
        Row("y", result.Directions[1]);
        Row("z", result.Directions[2]);
        b.AppendLine();
        b.AppendLine("![Arrhenius plot](arrhenius.png)");
        b.AppendLine();
        b.AppendLine("## Conductivity");
        b.AppendLine();
        if (result.Conductivity is { } c)
            b.AppendLine(F($"σ({c.Temperature:G4} K) = **{c.Value * 1000:G3} mS/cm** (one-standard-error band {c.Low * 1000:G3}–{c.High * 1000:G3} mS/cm), extrapolated along the Arrhenius line; {result.ConductivityNote}; {sp} density of the coldest run (V = {c.Volume:F1} Å³), charge {s.Charge:G3} e."));
        else b.AppendLine($"Not extrapolated: {result.ConductivityNote}.");
        b.AppendLine();
        b.AppendLine("## Sites and hops");
        b.AppendLine();
        b.AppendLine(F($"{result.Sites.Count} {sp} sites of {result.Sites.Types.Count} types; an atom is at a site within {result.Hops[0].CaptureRadius:F2} Å of it, and keeps its old site in between."));
        b.AppendLine();
        foreach (var t in result.Sites.Types) b.AppendLine($"- {t}: {result.Sites.Descriptions.GetValueOrDefault(t, "")}");
        b.AppendLine();
        b.AppendLine("| T (K) | hops | returns | " + string.Join(" | ", result.Sites.Types.Select(t => $"rate out of {t} (1/ps)")) + " | concerted | uncorrelated | ratio |");
        b.AppendLine("|---|---|---|" + string.Concat(result.Sites.Types.Select(_ => "---|")) + "---|---|---|");
        foreach (var (r, h) in result.Runs.Zip(result.Hops).OrderBy(p => p.First.Temperature))
        {
            var rates = result.Sites.Types.Select(t => h.Rates.First(x => x.Type == t)).Select(x => F($"{x.Rate:G3} (occ. {x.Occupancy:F2})"));
            var cc = h.Concerted;
            b.AppendLine(F($"| {r.Temperature:G5} | {h.Hops.Count} | {h.ReturnFraction:P0} | {string.Join(" | ", rates)} | {cc.Fraction:P1} | {cc.UncorrelatedFraction:P1} ± {cc.UncorrelatedSpread:P1} | {cc.Enhancement:F2} |"));
        }
        b.AppendLine();
        var cw = result.Hops[0].Concerted;
        b.AppendLine(F($"Concerted: a hop with another atom's hop within {cw.TimeWindow / 1000:G3} ps and {cw.DistanceWindow:G3} Å (midpoints). Uncorrelated: the same share after shifting each atom's hop times by its own random offset ({cw.Trials} trials), which keeps every atom's rate and removes the correlation between atoms; a ratio above 1 means hops cluster."));
        b.AppendLine();
        var scanTimes = result.Hops[0].ConcertedScan;
        if (scanTimes.Count > 0)
        {
            b.AppendLine(F($"The concerted share against the time window (distance {cw.DistanceWindow:G3} Å): observed / uncorrelated (ratio). Where the uncorrelated share nears 100 % the window is too wide to tell correlation from chance."));
            b.AppendLine();
            b.AppendLine("| T (K) | " + string.Join(" | ", scanTimes.Select(c => F($"{c.TimeWindow / 1000:G3} ps"))) + " |");
            b.AppendLine("|---|" + string.Concat(scanTimes.Select(_ => "---|")));
            foreach (var (r, h) in result.Runs.Zip(result.Hops).OrderBy(p => p.First.Temperature))
                b.AppendLine(F($"| {r.Temperature:G5} | ") + string.Join(" | ", h.ConcertedScan.Select(c => F($"{c.Fraction:P0} / {c.UncorrelatedFraction:P0} ({c.Enhancement:F2})"))) + " |");
            b.AppendLine();
        }
        if (barrier is not null)
        {
            b.AppendLine("## Barrier");
            b.AppendLine();
            b.AppendLine(F($"{barrier.Description}: climbing-image NEB barrier {barrier.Forward:F3} eV forward, {barrier.Backward:F3} eV back ({(barrier.Converged ? "converged" : "NOT converged")}: {barrier.Reason}); MD activation energy of the tracer diffusivity {result.Tracer.ActivationEnergy:F3} ± {result.Tracer.ActivationEnergyError:F3} eV."));
            b.AppendLine("![Energy along the band](barrier.png)");
            b.AppendLine();
            b.AppendLine("A single-vacancy hop barrier and the MD activation energy measure different things when several ions move together or when the carriers are not vacancies; a much lower MD value points to concerted or interstitial-mediated migration.");
            b.AppendLine();
        }
        b.AppendLine("Files: arrhenius.png/svg, msd.png/svg, transport.csv, hops.csv, transitions.csv, sites.txt, report.json" + (barrier is null ? "." : ", barrier.png/svg."));
        return b.ToString();
    }

    private static string Pm(Diffusivity d) => F($"{d.InSquareCentimetresPerSecond:0.00e+00} ± {d.StandardErrorInSquareCentimetresPerSecond:0.0e+00}");

    private static string EnsembleName(MdSettings md) => md.Ensemble switch
    {
        Ensemble.NoseHoover => "NVT (Nosé–Hoover chain)",
        Ensemble.Langevin => "NVT (Langevin)",
        Ensemble.NptIsotropic => "NPT (isotropic)",
        Ensemble.NptAnisotropic => "NPT (x, y, z independent)",
        _ => "NVE",
    };
}
