namespace PoetSharp.Simulation;

/// <summary>One rate measured at one temperature: D (any unit) and its standard error (same unit; 0 or NaN if unknown).</summary>
public sealed record ArrheniusPoint(double Temperature, double Value, double StandardError);

/// <summary>
/// D = D0 exp(−Ea / k_B T) fitted as ln D = ln D0 − Ea·(1/k_B T), weighted by (D/σ_D)² when every point has an error;
/// otherwise unweighted, the errors then from the scatter about the line.
/// </summary>
/// <param name="ActivationEnergy">Ea (eV).</param>
/// <param name="ActivationEnergyError">Standard error of Ea (eV).</param>
/// <param name="Prefactor">D0 (the unit of the values).</param>
/// <param name="PrefactorError">Standard error of D0 (D0·σ(ln D0)).</param>
public sealed record ArrheniusFit(double ActivationEnergy, double ActivationEnergyError, double Prefactor, double PrefactorError, ArrheniusPoint[] Points)
{
    public static ArrheniusFit Fit(IReadOnlyList<ArrheniusPoint> points)
    {
        if (points.Count < 2) throw new ArgumentException("an Arrhenius fit needs rates at two temperatures at least");
        foreach (var p in points)
            if (!(p.Temperature > 0) || !(p.Value > 0) || !double.IsFinite(p.Value))
                throw new ArgumentException($"rate {p.Value} at {p.Temperature} K: an Arrhenius fit needs positive rates at positive temperatures");
        if (points.Select(p => p.Temperature).Distinct().Count() < 2) throw new ArgumentException("an Arrhenius fit needs two different temperatures");

        var x = points.Select(p => 1 / (Units.BoltzmannEvPerK * p.Temperature)).ToArray();
        var y = points.Select(p => Math.Log(p.Value)).ToArray();
        var weighted = points.All(p => p.StandardError > 0 && double.IsFinite(p.StandardError));
        var w = points.Select(p => weighted ? Math.Pow(p.Value / p.StandardError, 2) : 1.0).ToArray();

        double s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            s += w[i]; sx += w[i] * x[i]; sy += w[i] * y[i]; sxx += w[i] * x[i] * x[i]; sxy += w[i] * x[i] * y[i];
        }
        var det = s * sxx - sx * sx;
        var slope = (s * sxy - sx * sy) / det;
        var intercept = (sxx * sy - sx * sxy) / det;
        double varSlope = s / det, varIntercept = sxx / det;
        if (!weighted)
        {
            // Unknown errors: scale by the residual variance (needs three points to be defined).
            var dof = x.Length - 2;
            var rss = 0.0;
            for (var i = 0; i < x.Length; i++) rss += Math.Pow(y[i] - intercept - slope * x[i], 2);
            var sigma2 = dof > 0 ? rss / dof : double.NaN;
            varSlope *= sigma2;
            varIntercept *= sigma2;
        }
        var prefactor = Math.Exp(intercept);
        return new ArrheniusFit(-slope, Math.Sqrt(varSlope), prefactor, prefactor * Math.Sqrt(varIntercept), points.ToArray());
    }

    /// <summary>The fitted rate at temperature t (K).</summary>
    public double At(double t) => Prefactor * Math.Exp(-ActivationEnergy / (Units.BoltzmannEvPerK * t));

    /// <summary>The Arrhenius plot: ln D against 1000/T with error bars and the fitted line, as PNG or SVG by the extension.</summary>
    public void Plot(string path, string valueLabel = "D (cm²/s)", int width = 700, int height = 500)
    {
        var plot = new ScottPlot.Plot();
        var xs = Points.Select(p => 1000 / p.Temperature).ToArray();
        var ys = Points.Select(p => Math.Log10(p.Value)).ToArray();
        var errors = Points.Select(p => p.StandardError > 0 ? p.StandardError / (p.Value * Math.Log(10)) : 0).ToArray();
        var scatter = plot.Add.ScatterPoints(xs, ys);
        scatter.MarkerSize = 8;
        scatter.LegendText = "molecular dynamics";
        var bars = plot.Add.ErrorBar(xs, ys, errors);
        bars.Color = scatter.Color;
        double lo = xs.Min(), hi = xs.Max(), pad = 0.05 * (hi - lo);
        var line = plot.Add.Line(lo - pad, Math.Log10(At(1000 / (lo - pad))), hi + pad, Math.Log10(At(1000 / (hi + pad))));
        line.LegendText = FormattableString.Invariant($"Ea = {ActivationEnergy:F3} ± {ActivationEnergyError:F3} eV");
        plot.ShowLegend();
        plot.XLabel("1000 / T (1/K)");
        plot.YLabel("log10 " + valueLabel);
        plot.Title("Arrhenius plot");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder != null) Directory.CreateDirectory(folder);
        if (path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase)) plot.SaveSvg(path, width, height);
        else plot.SavePng(path, width, height);
    }
}
