using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Potentials;
using PoetSharp.Simulation;
using PoetSharp.Transport;

namespace PoetSharp.Cli;

/// <summary>`poet md` (a molecular-dynamics run) and `poet arrhenius` (diffusivities over temperatures and their Arrhenius fit).</summary>
internal static class MdCommands
{
    private static readonly Dictionary<string, Ensemble> Ensembles = new()
    {
        ["nve"] = Ensemble.Nve, ["nvt"] = Ensemble.NoseHoover, ["langevin"] = Ensemble.Langevin,
        ["npt"] = Ensemble.NptIsotropic, ["npt-aniso"] = Ensemble.NptAnisotropic,
    };

    /// <summary>The options that say what to simulate: potential or model, and structure.</summary>
    private sealed class SystemOptions
    {
        public readonly PotentialOptions Potential = new();
        public readonly Option<string> StructureFile = new("--structure", "-s") { HelpName = "FILE", Description = "Start from the last structure in this file (" + DataFiles.ReadableFormats + ")." };
        public readonly Option<string> Build = new("--build", "-b") { HelpName = "SPEC", Description = "Instead of --structure, build a crystal: " + LatticeSpec.Help + "." };
        public readonly Option<bool> Vacancy = new("--vacancy") { Description = "Remove the first atom (vacancy-mediated diffusion)." };

        public void AddTo(Command command)
        {
            Potential.AddTo(command);
            foreach (var o in new Option[] { Exact, StructureFile, Build, Vacancy }) command.Options.Add(o);
            command.Validators.Add(result =>
            {
                if ((result.GetResult(Potential.Potential) is null) == (result.GetResult(Potential.Model) is null)) result.AddError("give exactly one of --potential and --model");
                if ((result.GetResult(StructureFile) is null) == (result.GetResult(Build) is null)) result.AddError("give exactly one of --structure and --build");
            });
        }

        public readonly Option<bool> Exact = new("--exact") { Description = "For a --model: evaluate the expression itself instead of its tables (slower; the tables agree to 1e-8)." };

        /// <summary>The potential; a model runs from its tabulated pair functions (the fast path for simulations) unless --exact.</summary>
        public IPotential CreatePotential(ParseResult parsed, CliServices services, CliOutput output)
        {
            var potential = Potential.Create(parsed, services, output);
            return potential is ModelPotential exact && !parsed.GetValue(Exact)
                ? new TabulatedModelPotential(exact.Model.Expression, exact.Model.Taper, exact.Species, exact.Name + ", tabulated")
                : potential;
        }

        public Structure CreateStructure(ParseResult parsed, CliServices services)
        {
            Structure structure;
            if (parsed.GetValue(Build) is { } spec) structure = LatticeSpec.Build(spec);
            else
            {
                var path = parsed.GetValue(StructureFile)!;
                var data = services.ReadData(path);
                if (data.Count == 0) throw new ArgumentException($"{path}: no structure in the file");
                structure = data[data.Count - 1];
            }
            if (parsed.GetValue(Vacancy))
            {
                if (structure.Count < 3) throw new ArgumentException("too few atoms to make a vacancy");
                structure = new Structure(structure.Cell, structure.Positions[1..], structure.Species[1..], structure.Name + " with a vacancy", structure.Group);
            }
            return structure;
        }
    }

    private sealed class DynamicsOptions
    {
        public readonly Option<string> Ensemble = new("--ensemble", "-e") { HelpName = "NAME", DefaultValueFactory = _ => "nve", Description = "nve, nvt (Nosé–Hoover chain), langevin, npt (isotropic MTK), npt-aniso (x, y, z independent)." };
        public readonly Option<double> Temperature = new("--temperature", "-t") { HelpName = "K", DefaultValueFactory = _ => 300, Description = "Target temperature (K)." };
        public readonly Option<double?> InitialTemperature = new("--initial-temperature") { HelpName = "K", Description = "Temperature of the Maxwell–Boltzmann start (default: --temperature)." };
        public readonly Option<double> Pressure = new("--pressure") { HelpName = "bar", DefaultValueFactory = _ => 0, Description = "Target pressure for npt (bar)." };
        public readonly Option<double> TimeStep = new("--timestep") { HelpName = "fs", DefaultValueFactory = _ => 2, Description = "Time step (fs)." };
        public readonly Option<double> ThermostatTime = new("--tdamp") { HelpName = "fs", DefaultValueFactory = _ => 100, Description = "Thermostat time (fs): Langevin damping time or Nosé–Hoover period." };
        public readonly Option<double> BarostatTime = new("--pdamp") { HelpName = "fs", DefaultValueFactory = _ => 1000, Description = "Barostat period (fs)." };
        public readonly Option<double> Skin = new("--skin") { HelpName = "Å", DefaultValueFactory = _ => 1.0, Description = "Neighbour-list skin (Å)." };
        public readonly Option<ulong> Seed = new("--seed") { DefaultValueFactory = _ => 1UL, Description = "Seed of the initial velocities and the Langevin noise." };

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { Ensemble, Temperature, InitialTemperature, Pressure, TimeStep, ThermostatTime, BarostatTime, Skin, Seed }) command.Options.Add(o);
            command.Validators.Add(result =>
            {
                var name = result.GetValue(Ensemble) ?? "nve";
                if (!Ensembles.ContainsKey(name.ToLowerInvariant())) result.AddError($"unknown ensemble '{name}' (known: {string.Join(", ", Ensembles.Keys)})");
            });
        }

        public MdSettings Create(ParseResult parsed) => new()
        {
            Ensemble = Ensembles[parsed.GetValue(Ensemble)!.ToLowerInvariant()],
            Temperature = parsed.GetValue(Temperature),
            Pressure = parsed.GetValue(Pressure) / Units.BarPerEvPerA3,
            TimeStep = parsed.GetValue(TimeStep),
            ThermostatTime = parsed.GetValue(ThermostatTime),
            BarostatTime = parsed.GetValue(BarostatTime),
            Skin = parsed.GetValue(Skin),
            Seed = parsed.GetValue(Seed),
        };
    }

    public static Command CreateMd(CliOutput output, CliServices services)
    {
        var system = new SystemOptions();
        var dynamics = new DynamicsOptions();
        var steps = new Option<long>("--steps", "-n") { Required = true, Description = "Number of time steps." };
        var thermo = new Option<int>("--thermo") { HelpName = "N", DefaultValueFactory = _ => 100, Description = "Thermo line every N steps." };
        var trajectory = new Option<string>("--trajectory") { HelpName = "FILE", Description = "Write frames (extended XYZ, unwrapped positions, energy, forces, stress)." };
        var trajectoryEvery = new Option<int>("--trajectory-every") { HelpName = "N", DefaultValueFactory = _ => 100, Description = "Trajectory frame every N steps." };
        var restartIn = new Option<string>("--restart") { HelpName = "FILE", Description = "Continue the run saved in this restart file (instead of --structure/--build and the initial velocities)." };
        var restartOut = new Option<string>("--write-restart") { HelpName = "FILE", Description = "Write a restart file at the end (and every --restart-every steps)." };
        var restartEvery = new Option<int>("--restart-every") { HelpName = "N", DefaultValueFactory = _ => 10000, Description = "Restart file every N steps." };
        var msd = new Option<int>("--msd-every") { HelpName = "N", DefaultValueFactory = _ => 0, Description = "Record displacements every N steps and report the diffusivity (0: off)." };
        var json = new Option<bool>("--json") { Description = "Write the summary as JSON instead of text." };

        var command = new Command("md", "Molecular dynamics (NVE, NVT, NPT) with any potential or POET model: thermo output, trajectory, restart files, diffusivity.");
        system.AddTo(command);
        dynamics.AddTo(command);
        foreach (var o in new Option[] { steps, thermo, trajectory, trajectoryEvery, restartIn, restartOut, restartEvery, msd, json }) command.Options.Add(o);
        command.Validators.Clear();
        command.Validators.Add(result =>
        {
            if ((result.GetResult(system.Potential.Potential) is null) == (result.GetResult(system.Potential.Model) is null)) result.AddError("give exactly one of --potential and --model");
            var sources = new[] { result.GetResult(system.StructureFile), result.GetResult(system.Build), result.GetResult(restartIn) }.Count(r => r is not null);
            if (sources != 1) result.AddError("give exactly one of --structure, --build and --restart");
            var name = result.GetValue(dynamics.Ensemble) ?? "nve";
            if (!Ensembles.ContainsKey(name.ToLowerInvariant())) result.AddError($"unknown ensemble '{name}' (known: {string.Join(", ", Ensembles.Keys)})");
        });
        command.SetAction(parsed =>
        {
            var potential = system.CreatePotential(parsed, services, output);
            var settings = dynamics.Create(parsed);
            MolecularDynamics md;
            if (parsed.GetValue(restartIn) is { } restart)
                md = MolecularDynamics.Restore(potential, restart, parsed.Given(dynamics.Ensemble) ? settings : null);
            else
            {
                var structure = system.CreateStructure(parsed, services);
                var initial = parsed.GetValue(dynamics.InitialTemperature) ?? settings.Temperature;
                md = new MolecularDynamics(potential, structure, settings, initialTemperature: initial);
            }

            var quiet = parsed.GetValue(json);
            if (!quiet)
            {
                output.Line($"{potential.Name}; {md.Structure.Count} atoms; {Describe(md.Settings)}");
                output.Line($"{"step",10} {"time/ps",9} {"T/K",9} {"E_pot/eV",15} {"E_kin/eV",12} {"E_tot/eV",15} {"E_cons/eV",15} {"P/bar",11} {"V/Å³",11}");
            }
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            MdRunSummary summary;
            try
            {
                summary = MdRun.Execute(md, new MdRunOptions
                {
                    Steps = parsed.GetValue(steps), ThermoEvery = parsed.GetValue(thermo),
                    TrajectoryPath = parsed.GetValue(trajectory), TrajectoryEvery = parsed.GetValue(trajectoryEvery),
                    RestartPath = parsed.GetValue(restartOut), RestartEvery = parsed.GetValue(restartEvery),
                    DisplacementEvery = parsed.GetValue(msd), Cancellation = cancel.Token,
                }, quiet ? null : r => output.Line(ThermoLine(r)));
            }
            finally { Console.CancelKeyPress -= onCancel; }

            if (quiet) WriteJson(output, potential, md, summary);
            else
            {
                var n = md.Structure.Count;
                if (summary.Cancelled) output.Line($"interrupted after {summary.Steps} steps");
                output.Line(FormattableString.Invariant($"averages: T = {summary.MeanTemperature:F2} K, P = {summary.MeanPressure * Units.BarPerEvPerA3:F1} bar, V = {summary.MeanVolume:F3} Å³, E_pot = {summary.MeanPotentialEnergy / n:F6} eV/atom"));
                output.Line(FormattableString.Invariant($"drift of the conserved energy: {summary.ConservedDrift:E3} eV/atom/ps"));
                output.Line(FormattableString.Invariant($"speed: {summary.SecondsPerStep * 1e3:F3} ms/step, {summary.AtomStepsPerSecond(n):E3} atom-steps/s, {summary.NeighbourListBuilds} neighbour-list builds"));
                if (summary.Diffusivity is { } d)
                    output.Line(FormattableString.Invariant($"diffusivity: D = {d.InSquareCentimetresPerSecond:E3} ± {d.StandardError * Diffusivity.SquareCentimetresPerSecondPerA2PerFs:E2} cm²/s (MSD fit over {d.WindowStart / 1000:G4}–{d.WindowEnd / 1000:G4} ps, {d.Blocks.Length} blocks)"));
                if (parsed.GetValue(restartOut) is { } written) output.Line($"restart file: {written}");
            }
            return PoetCli.Success;
        });
        return command;
    }

    public static Command CreateArrhenius(CliOutput output, CliServices services)
    {
        var system = new SystemOptions();
        var dynamics = new DynamicsOptions();
        var temperatures = new Option<string>("--temperatures") { Required = true, HelpName = "T1,T2,…", Description = "Temperatures (K), comma-separated." };
        var equilibration = new Option<long>("--equilibrate") { DefaultValueFactory = _ => 5000, Description = "Equilibration steps at each temperature." };
        var steps = new Option<long>("--steps", "-n") { Required = true, Description = "Production steps at each temperature." };
        var sample = new Option<int>("--sample-every") { HelpName = "N", DefaultValueFactory = _ => 50, Description = "Record displacements every N steps." };
        var blocks = new Option<int>("--blocks") { DefaultValueFactory = _ => 5, Description = "Blocks for the error of each diffusivity." };
        var outDir = new Option<string>("--out", "-o") { HelpName = "DIR", Description = "Write arrhenius.json and the plot (PNG and SVG) here." };
        var command = new Command("arrhenius", "Diffusivities from MD at several temperatures, and their Arrhenius fit: activation energy and prefactor with errors.");
        system.AddTo(command);
        dynamics.AddTo(command);
        foreach (var o in new Option[] { temperatures, equilibration, steps, sample, blocks, outDir }) command.Options.Add(o);
        command.SetAction(parsed =>
        {
            var ts = ParseTemperatures(parsed.GetValue(temperatures)!);
            var potential = system.CreatePotential(parsed, services, output);
            var structure = system.CreateStructure(parsed, services);
            var settings = dynamics.Create(parsed);
            if (!parsed.Given(dynamics.Ensemble)) settings = settings with { Ensemble = Ensemble.NoseHoover };
            output.Line($"{potential.Name}; {structure.Count} atoms; {Describe(settings, string.Join(", ", ts.Select(t => t.ToString(CultureInfo.InvariantCulture))))}; the temperatures run in parallel");
            var result = ArrheniusRun.Execute(potential, structure, ts, settings, parsed.GetValue(equilibration), parsed.GetValue(steps),
                parsed.GetValue(sample), blocks: parsed.GetValue(blocks),
                finished: r => output.Line(FormattableString.Invariant($"{r.Temperature,8:F1} K: D = {r.Diffusivity.InSquareCentimetresPerSecond:E3} ± {r.Diffusivity.StandardError * Diffusivity.SquareCentimetresPerSecondPerA2PerFs:E2} cm²/s (mean T {r.Run.MeanTemperature:F1} K)")));
            var fit = result.Fit;
            output.Line(FormattableString.Invariant($"activation energy Ea = {fit.ActivationEnergy:F4} ± {fit.ActivationEnergyError:F4} eV"));
            output.Line(FormattableString.Invariant($"prefactor D0 = {fit.Prefactor:E3} ± {fit.PrefactorError:E2} cm²/s"));
            if (parsed.GetValue(outDir) is { } dir)
            {
                Directory.CreateDirectory(dir);
                fit.Plot(Path.Combine(dir, "arrhenius.png"));
                fit.Plot(Path.Combine(dir, "arrhenius.svg"));
                var doc = new
                {
                    potential = potential.Name, atoms = structure.Count, ensemble = settings.Ensemble.ToString(), timestep_fs = settings.TimeStep,
                    activation_energy_eV = fit.ActivationEnergy, activation_energy_error_eV = fit.ActivationEnergyError,
                    prefactor_cm2_per_s = fit.Prefactor, prefactor_error_cm2_per_s = fit.PrefactorError,
                    runs = result.Runs.Select(r => new
                    {
                        temperature_K = r.Temperature, mean_temperature_K = r.Run.MeanTemperature,
                        diffusivity_cm2_per_s = r.Diffusivity.InSquareCentimetresPerSecond,
                        error_cm2_per_s = r.Diffusivity.StandardError * Diffusivity.SquareCentimetresPerSecondPerA2PerFs,
                    }),
                };
                File.WriteAllText(Path.Combine(dir, "arrhenius.json"), JsonSerializer.Serialize(doc, JsonOptions));
                output.Line($"wrote {Path.Combine(dir, "arrhenius.json")}, arrhenius.png, arrhenius.svg");
            }
            return PoetCli.Success;
        });
        return command;
    }

    public static Command CreateDiffusion(CliOutput output, CliServices services)
    {
        var system = new SystemOptions();
        var dynamics = new DynamicsOptions();
        var species = new Option<string>("--species") { Required = true, HelpName = "ELEMENT", Description = "The mobile species (e.g. Li)." };
        var temperatures = new Option<string>("--temperatures") { Required = true, HelpName = "T1,T2,…", Description = "Temperatures (K), comma-separated; they run in parallel." };
        var equilibration = new Option<long>("--equilibrate") { DefaultValueFactory = _ => 5000, Description = "Equilibration steps at each temperature." };
        var steps = new Option<long>("--steps", "-n") { Required = true, Description = "Production steps at each temperature." };
        var sample = new Option<int>("--sample-every") { HelpName = "N", DefaultValueFactory = _ => 50, Description = "Record positions every N steps." };
        var blocks = new Option<int>("--blocks") { DefaultValueFactory = _ => 5, Description = "Blocks for the errors of the diffusivities." };
        var charge = new Option<double>("--charge") { HelpName = "e", DefaultValueFactory = _ => 1, Description = "Charge of the mobile ion for the Nernst–Einstein conductivity." };
        var reportT = new Option<double>("--report-temperature") { HelpName = "K", DefaultValueFactory = _ => 300, Description = "Extrapolate the conductivity to this temperature." };
        var from = new Option<string>("--conductivity-from") { HelpName = "tracer|collective", DefaultValueFactory = _ => "tracer", Description = "Diffusivity behind the extrapolated conductivity: tracer (Haven ratio 1; smaller errors) or collective (includes correlations; noisier)." };
        var sitesFile = new Option<string>("--sites") { HelpName = "FILE", Description = "Sites of the mobile ion, one per line 'TYPE fa fb fc' (fractional); default: found from the time-averaged density." };
        var capture = new Option<double?>("--capture-radius") { HelpName = "Å", Description = "An ion is at a site within this distance (default: 40 % of the shortest site separation, at most 1 Å)." };
        var concertedTime = new Option<double>("--concerted-time") { HelpName = "ps", DefaultValueFactory = _ => HopSettings.DefaultConcertedTime / 1000, Description = "Hops within this time of each other (ps; summary.md also scans 0.05–1 ps) …" };
        var concertedDistance = new Option<double>("--concerted-distance") { HelpName = "Å", DefaultValueFactory = _ => 5, Description = "… and this distance (midpoints) are concerted." };
        var barrier = new Option<string>("--barrier") { HelpName = "I,J", Description = "Also the climbing-image NEB barrier of a vacancy hop in the starting structure: atom I into the site of atom J (numbers from 1, as in the file), reported beside the MD activation energy." };
        var outDir = new Option<string>("--out", "-o") { HelpName = "DIR", DefaultValueFactory = _ => "diffusion", Description = "Report folder: summary.md, arrhenius and msd plots (PNG, SVG), CSV tables, sites, report.json." };
        var command = new Command("diffusion", "Diffusion of one species over several temperatures: tracer, collective and per-direction diffusivities, Haven ratio, Arrhenius fits, Nernst–Einstein conductivity extrapolated to room temperature, site-to-site hops and concerted migration, in one report folder.");
        system.AddTo(command);
        dynamics.AddTo(command);
        foreach (var o in new Option[] { species, temperatures, equilibration, steps, sample, blocks, charge, reportT, from, sitesFile, capture, concertedTime, concertedDistance, barrier, outDir }) command.Options.Add(o);
        command.SetAction(parsed =>
        {
            var ts = ParseTemperatures(parsed.GetValue(temperatures)!);
            var kind = parsed.GetValue(from)!.ToLowerInvariant() switch
            {
                "tracer" => DisplacementKind.Tracer,
                "collective" => DisplacementKind.Collective,
                var other => throw new ArgumentException($"--conductivity-from: '{other}' is neither tracer nor collective"),
            };
            var potential = system.CreatePotential(parsed, services, output);
            var structure = system.CreateStructure(parsed, services);
            var md = dynamics.Create(parsed);
            if (!parsed.Given(dynamics.Ensemble)) md = md with { Ensemble = Ensemble.NoseHoover };
            md.Validate();
            var hop = parsed.GetValue(barrier) is { } hopText ? BarrierCommand.ParseHop(hopText, structure, "--barrier") : ((int, int)?)null;
            var sitesPath = parsed.GetValue(sitesFile);
            if (sitesPath is not null) SiteSet.Read(sitesPath, structure.Cell); // fail before the runs, not after
            var settings = new IonicTransportSettings
            {
                Species = parsed.GetValue(species)!, Charge = parsed.GetValue(charge),
                EquilibrationSteps = parsed.GetValue(equilibration), ProductionSteps = parsed.GetValue(steps),
                SampleEvery = parsed.GetValue(sample), Blocks = parsed.GetValue(blocks), ReportTemperature = parsed.GetValue(reportT),
                ConductivityFrom = kind,
                Sites = sitesPath is null ? null : cell => SiteSet.Read(sitesPath, cell),
                Hops = new HopSettings { CaptureRadius = parsed.GetValue(capture), ConcertedTime = parsed.GetValue(concertedTime) * 1000, ConcertedDistance = parsed.GetValue(concertedDistance), Seed = md.Seed },
            };
            output.Line($"{potential.Name}; {structure.Count} atoms, {structure.Species.Count(x => x == settings.Species)} {settings.Species}; {Describe(md, string.Join(", ", ts.Select(t => t.ToString(CultureInfo.InvariantCulture))))}; the temperatures run in parallel");
            var result = IonicTransport.Run(potential, structure, ts, md, settings, r => output.Line(FormattableString.Invariant(
                $"{r.Temperature,8:F1} K: D* = {r.Tracer.InSquareCentimetresPerSecond:E3} ± {r.Tracer.StandardErrorInSquareCentimetresPerSecond:E2}, D_σ = {r.Collective.InSquareCentimetresPerSecond:E3} ± {r.Collective.StandardErrorInSquareCentimetresPerSecond:E2} cm²/s, H = {r.HavenRatio:F2}, D_x/D_y/D_z = {r.Directions[0].InSquareCentimetresPerSecond:E2}/{r.Directions[1].InSquareCentimetresPerSecond:E2}/{r.Directions[2].InSquareCentimetresPerSecond:E2} (⟨T⟩ {r.Run.MeanTemperature:F1} K, MSD converged after {r.ConvergedAfter / 1000:F0} ps{(r.Converged ? "" : ": not shown, run longer")}, {r.WallSeconds:F0} s)")),
                (t, reason) => output.Warning(FormattableString.Invariant($"{t:G5} K failed and is left out of the fits: {reason}")));
            var fit = result.Tracer;
            output.Line(FormattableString.Invariant($"tracer: Ea = {fit.ActivationEnergy:F4} ± {fit.ActivationEnergyError:F4} eV, D0 = {fit.Prefactor:E3} ± {fit.PrefactorError:E2} cm²/s"));
            if (result.Collective is { } c) output.Line(FormattableString.Invariant($"collective: Ea = {c.ActivationEnergy:F4} ± {c.ActivationEnergyError:F4} eV, D0 = {c.Prefactor:E3} ± {c.PrefactorError:E2} cm²/s"));
            if (result.Conductivity is { } sigma)
                output.Line(FormattableString.Invariant($"conductivity at {sigma.Temperature:G4} K: {sigma.Value * 1000:G4} mS/cm (band {sigma.Low * 1000:G3}–{sigma.High * 1000:G3}); {result.ConductivityNote}"));
            else output.Line($"conductivity not extrapolated: {result.ConductivityNote}");
            output.Line($"{result.Sites.Count} sites of {result.Sites.Types.Count} types; hops per temperature: " + string.Join(", ", result.Runs.Zip(result.Hops).Select(p => FormattableString.Invariant($"{p.First.Temperature:G5} K {p.Second.Hops.Count} ({p.Second.Concerted.Fraction:P0} concerted, {p.Second.Concerted.UncorrelatedFraction:P0} if uncorrelated)"))));
            var dir = parsed.GetValue(outDir)!;
            BarrierSummary? barrierSummary = null;
            if (hop is var (hopFrom, hopTo))
            {
                var neb = VacancyHopBarrier.Run(potential, structure, hopFrom, hopTo, BarrierCommand.Settings(7, 1.0, 0.01, 3000));
                barrierSummary = new BarrierSummary(FormattableString.Invariant($"{neb.Species} atom {hopFrom + 1} into the vacant site of atom {hopTo + 1} ({neb.HopDistance:F3} Å) in the starting structure, cell fixed"),
                    neb.ForwardBarrier, neb.BackwardBarrier, neb.Band.Converged, neb.Band.Reason);
                output.Line(FormattableString.Invariant($"vacancy hop {hopFrom + 1} → {hopTo + 1}: NEB barrier {neb.ForwardBarrier:F4} eV forward, {neb.BackwardBarrier:F4} eV back ({(neb.Band.Converged ? "converged" : "not converged: " + neb.Band.Reason)})"));
                Directory.CreateDirectory(dir);
                BarrierCommand.Plot(neb, Path.Combine(dir, "barrier.png"));
                BarrierCommand.Plot(neb, Path.Combine(dir, "barrier.svg"));
            }
            var files = IonicTransportReport.Write(dir, result, barrierSummary, command: "poet " + string.Join(' ', parsed.Tokens.Select(t => t.Value)));
            output.Line($"wrote {Path.Combine(dir, "summary.md")} and {string.Join(", ", files.Where(f => f != "summary.md"))}");
            return PoetCli.Success;
        });
        return command;
    }

    private static double[] ParseTemperatures(string text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v)
            ? v : throw new ArgumentException($"--temperatures: '{t}' is not a positive temperature in K")).ToArray();

    /// <summary>The JSON files of `poet arrhenius` and `poet barrier`: indented, Unicode kept readable, NaN allowed.</summary>
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static string Describe(MdSettings s, string? temperatures = null) => (temperatures ?? FormattableString.Invariant($"{s.Temperature}"), s.Ensemble) switch
    {
        (_, Ensemble.Nve) => FormattableString.Invariant($"NVE, time step {s.TimeStep} fs"),
        (var t, Ensemble.Langevin) => FormattableString.Invariant($"Langevin at {t} K (damping {s.ThermostatTime} fs), time step {s.TimeStep} fs"),
        (var t, Ensemble.NoseHoover) => FormattableString.Invariant($"NVT Nosé–Hoover chain at {t} K (period {s.ThermostatTime} fs), time step {s.TimeStep} fs"),
        (var t, _) => FormattableString.Invariant($"NPT {(s.Ensemble == Ensemble.NptIsotropic ? "isotropic" : "per-axis")} at {t} K and {s.Pressure * Units.BarPerEvPerA3:G6} bar (periods {s.ThermostatTime}/{s.BarostatTime} fs), time step {s.TimeStep} fs"),
    };

    private static string ThermoLine(ThermoRecord r) => FormattableString.Invariant(
        $"{r.Step,10} {r.Time / 1000,9:F4} {r.Temperature,9:F2} {r.PotentialEnergy,15:F6} {r.KineticEnergy,12:F6} {r.TotalEnergy,15:F6} {r.ConservedEnergy,15:F6} {r.Pressure * Units.BarPerEvPerA3,11:F1} {r.Volume,11:F3}");

    private static void WriteJson(CliOutput output, IPotential potential, MolecularDynamics md, MdRunSummary s)
    {
        var doc = new
        {
            potential = potential.Name, atoms = md.Structure.Count, ensemble = md.Settings.Ensemble.ToString(), steps = s.Steps, cancelled = s.Cancelled,
            mean_temperature_K = s.MeanTemperature, mean_pressure_bar = s.MeanPressure * Units.BarPerEvPerA3, mean_volume_A3 = s.MeanVolume,
            mean_potential_energy_eV = s.MeanPotentialEnergy, conserved_drift_eV_per_atom_per_ps = s.ConservedDrift,
            seconds_per_step = s.SecondsPerStep, neighbour_list_builds = s.NeighbourListBuilds,
            diffusivity_cm2_per_s = s.Diffusivity?.InSquareCentimetresPerSecond,
            diffusivity_error_cm2_per_s = s.Diffusivity is { } d ? d.StandardError * Diffusivity.SquareCentimetresPerSecondPerA2PerFs : (double?)null,
        };
        output.Out.WriteLine(JsonSerializer.Serialize(doc, JsonOptions));
    }
}
