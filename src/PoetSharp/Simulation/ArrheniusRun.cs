using PoetSharp.Atoms;
using PoetSharp.Potentials;

namespace PoetSharp.Simulation;

/// <summary>The diffusivity measured at one temperature, with the run behind it.</summary>
public sealed record DiffusionAtTemperature(double Temperature, Diffusivity Diffusivity, MdRunSummary Run);

/// <summary>The result of <see cref="ArrheniusRun.Execute"/>: one diffusivity per temperature and the Arrhenius fit (D in cm²/s).</summary>
public sealed record ArrheniusResult(DiffusionAtTemperature[] Runs, ArrheniusFit Fit);

/// <summary>
/// Diffusivities over several temperatures, each from its own thermostatted run (equilibration, then a production run
/// recording displacements), and the Arrhenius fit through them. Runs at different temperatures are independent and
/// go in parallel; each has its own seed (the base seed plus its index), so the result does not depend on the order.
/// </summary>
public static class ArrheniusRun
{
    public static ArrheniusResult Execute(IPotential potential, Structure structure, IReadOnlyList<double> temperatures, MdSettings settings,
        long equilibrationSteps, long productionSteps, int sampleEvery = 50, (double Start, double End)? window = null, int blocks = 5,
        int maxDegreeOfParallelism = -1, Action<DiffusionAtTemperature>? finished = null)
    {
        if (temperatures.Count < 2) throw new ArgumentException("an Arrhenius plot needs at least two temperatures");
        if (!settings.IsThermostatted) throw new ArgumentException("diffusion runs need a thermostat (nvt, langevin or npt)");
        var runs = new DiffusionAtTemperature[temperatures.Count];
        Parallel.For(0, temperatures.Count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, k =>
        {
            var t = temperatures[k];
            var md = new MolecularDynamics(potential, structure, settings with { Temperature = t, Seed = settings.Seed + (ulong)k });
            md.Run(equilibrationSteps);
            var summary = MdRun.Execute(md, new MdRunOptions
            {
                Steps = productionSteps, ThermoEvery = 0, DisplacementEvery = sampleEvery, DiffusionWindow = window, DiffusionBlocks = blocks,
            });
            runs[k] = new DiffusionAtTemperature(t, summary.Diffusivity!, summary);
            lock (runs) finished?.Invoke(runs[k]);
        });
        var points = runs.Select(r => new ArrheniusPoint(r.Temperature, r.Diffusivity.InSquareCentimetresPerSecond,
            r.Diffusivity.StandardError * Diffusivity.SquareCentimetresPerSecondPerA2PerFs)).ToArray();
        foreach (var p in points)
            if (!(p.Value > 0))
                throw new ArgumentException($"no measurable diffusion at {p.Temperature} K (D = {p.Value:G3} cm²/s): run longer or hotter");
        return new ArrheniusResult(runs, ArrheniusFit.Fit(points));
    }
}
