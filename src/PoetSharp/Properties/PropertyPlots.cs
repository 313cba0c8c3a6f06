namespace PoetSharp.Properties;

/// <summary>
/// Figures of bulk properties, drawn headless with ScottPlot: the format follows the file name's extension (.png or .svg).
/// </summary>
public static class PropertyPlots
{
    /// <summary>Energy per atom against volume per atom: the computed points and the Birch–Murnaghan curve, with V0, B0 and B0' in the title.</summary>
    public static void WriteEquationOfState(EquationOfStateResult eos, string path, string title = "", int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(eos);
        var plot = new ScottPlot.Plot();
        double lo = eos.Volumes.Min(), hi = eos.Volumes.Max();
        var pad = 0.02 * (hi - lo);
        var curveV = Roots.Linspace(lo - pad, hi + pad, 200);
        var curve = plot.Add.ScatterLine(curveV, curveV.Select(eos.Energy).ToArray());
        curve.LegendText = "Birch–Murnaghan fit";
        curve.LineWidth = 2;
        var points = plot.Add.ScatterPoints(eos.Volumes, eos.Energies);
        points.MarkerSize = 7;
        points.LegendText = "computed";
        plot.Title(FormattableString.Invariant(
            $"{(title.Length > 0 ? title : eos.StructureName)}: V0 = {eos.V0:F3} Å³/atom, B0 = {eos.B0:F1} GPa, B0' = {eos.B0Prime:F2}"));
        plot.XLabel("volume (Å³/atom)");
        plot.YLabel("energy (eV/atom)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        Save(plot, path, width, height);
    }

    /// <summary>Phonon branches (THz) along the band path, with vertical lines and tick labels at the high-symmetry points.</summary>
    public static void WritePhononDispersion(PhononDispersion dispersion, string path, string title = "Phonon dispersion", int width = 700, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(dispersion);
        if (dispersion.Distances.Length == 0) throw new ArgumentException("an empty dispersion");
        var plot = new ScottPlot.Plot();
        for (var b = 0; b < dispersion.Branches; b++)
        {
            var line = plot.Add.ScatterLine(dispersion.Distances, dispersion.Frequencies.Select(f => f[b]).ToArray());
            line.Color = ScottPlot.Colors.Blue;
            line.LineWidth = 2;
        }
        foreach (var (_, x) in dispersion.Labels)
        {
            var v = plot.Add.VerticalLine(x);
            v.Color = ScottPlot.Colors.Gray;
            v.LineWidth = 1;
        }
        var zero = plot.Add.HorizontalLine(0);
        zero.Color = ScottPlot.Colors.Gray;
        zero.LinePattern = ScottPlot.LinePattern.Dashed;
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var (label, x) in dispersion.Labels) ticks.AddMajor(x, label);
        plot.Axes.Bottom.TickGenerator = ticks;
        var top = dispersion.Frequencies.SelectMany(f => f).Max();
        var bottom = Math.Min(0, dispersion.Frequencies.SelectMany(f => f).Min());
        plot.Axes.SetLimits(dispersion.Distances[0], dispersion.Distances[^1], bottom, 1.05 * Math.Max(top, 1e-9));
        plot.Title(title);
        plot.YLabel("frequency (THz)");
        Save(plot, path, width, height);
    }

    /// <summary>The generalized stacking-fault energy (mJ/m²) against the displacement along [11̄2] in units of the Shockley partial a/√6.</summary>
    public static void WriteStackingFaultCurve(StackingFaultCurve curve, string path, string title = "Generalized stacking fault on {111}", int width = 700, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (curve.Fractions.Length < 2) throw new ArgumentException("a stacking-fault curve needs at least two points");
        var plot = new ScottPlot.Plot();
        var line = plot.Add.Scatter(curve.Fractions, curve.Energies);
        line.LineWidth = 2;
        line.MarkerSize = 6;
        var zero = plot.Add.HorizontalLine(0);
        zero.Color = ScottPlot.Colors.Gray;
        zero.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.Title(FormattableString.Invariant(
            $"{title}: γ_usf ≈ {curve.Energies.Max():F1}, γ_isf = {curve.Energies[^1]:F1} mJ/m²{(curve.Converged ? "" : " (not converged)")}"));
        plot.XLabel("displacement along [11-2] (a/√6)");
        plot.YLabel("fault energy (mJ/m²)");
        Save(plot, path, width, height);
    }

    /// <summary>Writes the plot as PNG or SVG by the extension of <paramref name="path"/>, creating its folder.</summary>
    internal static void Save(ScottPlot.Plot plot, string path, int width, int height)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder != null) Directory.CreateDirectory(folder);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        switch (extension)
        {
            case ".png":
                plot.SavePng(path, width, height);
                break;
            case ".svg":
                plot.SaveSvg(path, width, height);
                break;
            default:
                throw new ArgumentException($"cannot write a plot as '{extension}' ({path}): use .png or .svg");
        }
    }
}
