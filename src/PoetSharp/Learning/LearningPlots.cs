namespace PoetSharp.Learning;

/// <summary>
/// The summary plots of a learning run, each as PNG and SVG (ScottPlot, headless): errors against iteration
/// (<c>learning-errors</c>: energy and force RMSE on the training set, and on the validation set when given) and the
/// cost (<c>learning-cost</c>: cumulative oracle calls, and the seconds spent in MD, oracle and training per iteration).
/// </summary>
public static class LearningPlots
{
    public static void Write(IReadOnlyList<LearningIteration> iterations, string folder)
    {
        if (iterations.Count == 0) return;
        Directory.CreateDirectory(folder);
        var trained = iterations.Where(r => !r.Converged).ToList();
        double[] x = trained.Select(r => (double)r.Iteration).ToArray();

        var errors = new ScottPlot.Plot();
        void Line(ScottPlot.Plot plot, double[] xs, double[] ys, string legend, bool right)
        {
            var keep = Enumerable.Range(0, xs.Length).Where(k => double.IsFinite(ys[k])).ToArray();
            if (keep.Length == 0) return;
            var line = plot.Add.Scatter(keep.Select(k => xs[k]).ToArray(), keep.Select(k => ys[k]).ToArray());
            line.LegendText = legend;
            if (right) line.Axes.YAxis = plot.Axes.Right;
        }
        Line(errors, x, trained.Select(r => r.TrainingEnergyRmse).ToArray(), "energy RMSE, training (meV/atom, left)", false);
        Line(errors, x, trained.Select(r => r.ValidationEnergyRmse).ToArray(), "energy RMSE, validation (meV/atom, left)", false);
        Line(errors, x, trained.Select(r => r.TrainingForceRmse).ToArray(), "force RMSE, training (eV/Å, right)", true);
        Line(errors, x, trained.Select(r => r.ValidationForceRmse).ToArray(), "force RMSE, validation (eV/Å, right)", true);
        errors.Title("learning on the fly: errors after each iteration's training");
        errors.XLabel("iteration");
        errors.Axes.Left.Label.Text = "energy RMSE (meV/atom)";
        errors.Axes.Right.Label.Text = "force RMSE (eV/Å)";
        errors.ShowLegend(ScottPlot.Edge.Bottom);
        errors.SavePng(Path.Combine(folder, "learning-errors.png"), 800, 600);
        errors.SaveSvg(Path.Combine(folder, "learning-errors.svg"), 800, 600);

        var cost = new ScottPlot.Plot();
        var all = iterations.Select(r => (double)r.Iteration).ToArray();
        var cumulative = 0.0;
        Line(cost, all, iterations.Select(r => cumulative += r.OracleCalls).ToArray(), "oracle calls, cumulative (left)", false);
        Line(cost, all, iterations.Select(r => r.MdSeconds).ToArray(), "MD and grading (s, right)", true);
        Line(cost, all, iterations.Select(r => r.OracleSeconds).ToArray(), "oracle (s, right)", true);
        Line(cost, all, iterations.Select(r => r.TrainingSeconds).ToArray(), "training (s, right)", true);
        cost.Title("learning on the fly: oracle calls and time per iteration");
        cost.XLabel("iteration");
        cost.Axes.Left.Label.Text = "oracle calls";
        cost.Axes.Right.Label.Text = "seconds";
        cost.ShowLegend(ScottPlot.Edge.Bottom);
        cost.SavePng(Path.Combine(folder, "learning-cost.png"), 800, 600);
        cost.SaveSvg(Path.Combine(folder, "learning-cost.svg"), 800, 600);
    }
}
