using System.Diagnostics;
using System.Numerics;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace PoetSharp.Fitting;

/// <summary>
/// Covariance matrix adaptation evolution strategy with IPOP restarts, after N. Hansen, "The CMA Evolution Strategy:
/// A Tutorial" (arXiv:1604.00772, 2016) and Auger &amp; Hansen, "A Restart CMA Evolution Strategy With Increasing
/// Population Size" (CEC 2005). Written here because no maintained .NET CMA-ES package exists.
/// </summary>
/// <remarks>
/// The search runs in scaled coordinates y = x / s with s_i = max(|start_i|, <see cref="MinimumScale"/>), so that
/// the initial step <see cref="InitialStepSize"/> (σ₀ = 0.3 by default) is 30 % of each constant's own magnitude;
/// POET's constants span several orders of magnitude, and an isotropic σ₀ would suit none of them.
/// <para>
/// Learning the covariance of a long, narrow valley from samples alone takes CMA-ES many generations (of order n² for
/// the full matrix, more as the valley's condition grows). When the problem offers a Jacobian, each time a run's best
/// cost has fallen by a factor <see cref="MetricRefreshFactor"/> (so: once the search has reached a new region) one
/// evaluation of J at the mean gives the Gauss–Newton Hessian H = JᵀJ, and the covariance is reset to the shape of H⁻¹
/// (eigenvalues of H floored at λ_max / <see cref="MaxMetricCondition"/>) with σ rescaled to keep the volume of the
/// search distribution, whose size σ's own adaptation then corrects. Not at the start: far from a minimum (where the
/// residuals are large) the Gauss–Newton model is poor, and the steps it favours can lead into another basin. Apart
/// from those evaluations only the cost ½ Σ r² is used.
/// </para>
/// Points where the problem is invalid get cost +∞ and rank last.
/// A run ends on a tolerance (cost range over recent generations, step size below the parameter tolerance) or on
/// stagnation (no improvement over a window, σ ineffective or exploding, condition of C above 1e14); it is then
/// restarted from the start point with twice the population, up to <see cref="MaxRestarts"/> times.
/// Deterministic for a given <see cref="OptimizationBudget.Seed"/>.
/// </remarks>
public sealed class CmaEs : IOptimizer
{
    public string Name => "cmaes";

    /// <summary>σ₀ in scaled coordinates: the initial step as a fraction of each parameter's scale.</summary>
    public double InitialStepSize { get; init; } = 0.3;

    /// <summary>Smallest per-coordinate scale, used for start values near zero.</summary>
    public double MinimumScale { get; init; } = 0.1;

    /// <summary>Number of IPOP restarts (population doubling each time) after a run ends before the budget.</summary>
    public int MaxRestarts { get; init; } = 4;

    /// <summary>Population of the first run; 0 for the default 4 + ⌊3 ln n⌋.</summary>
    public int PopulationSize { get; init; }

    /// <summary>Stop (converged, no restart) as soon as a cost at or below this is found.</summary>
    public double TargetCost { get; init; }

    /// <summary>Largest population a restart may use; bounds the memory of the λ·n offspring buffers.</summary>
    public int MaxPopulationSize { get; init; } = 1 << 16;

    /// <summary>How many times a generation with no valid offspring is redrawn before the run is abandoned.</summary>
    public int MaxInvalidGenerations { get; init; } = 10;

    /// <summary>Largest condition number of C before a run counts as degenerate.</summary>
    public double MaxCondition { get; init; } = 1e14;

    /// <summary>
    /// When the problem has a Jacobian, reset the covariance to the Gauss–Newton inverse Hessian as the cost falls
    /// (see the remarks); false to use the cost alone.
    /// </summary>
    public bool GaussNewtonMetric { get; init; } = true;

    /// <summary>Factor by which a run's best cost must fall between two Gauss–Newton covariance resets.</summary>
    public double MetricRefreshFactor { get; init; } = 10;

    /// <summary>
    /// Evaluations kept back for a final Levenberg–Marquardt polish from the best point when the problem has a Jacobian
    /// (and the budget is more than twice this): CMA-ES finds the basin, and a local Gauss–Newton method then pins the
    /// minimum of a narrow valley in a few dozen evaluations where sampling would need thousands. 0 for none.
    /// </summary>
    public int PolishEvaluations { get; init; } = 200;

    /// <summary>Relative RMS error of the Gauss–Newton model on a generation's costs below which its metric is trusted.</summary>
    public double MetricModelTolerance { get; init; } = 0.3;

    /// <summary>Largest condition number of a Gauss–Newton covariance; flatter directions are capped.</summary>
    public double MaxMetricCondition { get; init; } = 1e12;

    public OptimizationResult Minimize(ILeastSquaresProblem problem, ReadOnlySpan<double> start, OptimizationBudget budget)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(budget);
        if (start.Length != problem.ParameterCount)
            throw new ArgumentException($"start has {start.Length} values, the problem {problem.ParameterCount} parameters");
        if (problem.ParameterCount == 0)
            throw new ArgumentException("the problem has no parameters");
        if (!(PolishEvaluations > 0 && problem.HasJacobian && budget.MaxEvaluations > 2 * PolishEvaluations))
            return new Search(this, problem, start, budget).Run();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var global = new Search(this, problem, start, budget with { MaxEvaluations = budget.MaxEvaluations - PolishEvaluations }).Run();
        if (!double.IsFinite(global.Cost))
            return global;
        var remainingTime = budget.MaxTime is { } limit ? limit - clock.Elapsed : (TimeSpan?)null;
        if (remainingTime is { } t && t <= TimeSpan.Zero)
            return global;
        var local = new LevenbergMarquardt().Minimize(problem, global.Parameters,
            budget with { MaxEvaluations = budget.MaxEvaluations - global.Evaluations, MaxTime = remainingTime });
        var best = local.Cost < global.Cost ? local.Parameters : global.Parameters;
        return new OptimizationResult(best, Math.Min(local.Cost, global.Cost), global.Evaluations + local.Evaluations,
            local.Converged, $"{global.StopReason}; polished by Levenberg–Marquardt: {local.StopReason}");
    }

    private enum RunEnd { None, Tolerance, Stagnation, Target, Budget, NoValidPoint }

    /// <summary>State of one minimisation; the per-run buffers are reallocated only at a restart.</summary>
    private sealed class Search
    {
        private readonly CmaEs _options;
        private readonly ILeastSquaresProblem _problem;
        private readonly OptimizationBudget _budget;
        private readonly int _n;
        private readonly double[] _start;     // scaled start point
        private readonly double[] _scale;
        private readonly double[] _x;         // trial point in problem coordinates
        private readonly double[] _residuals;
        private readonly double[] _bestX;
        private double _bestCost = double.PositiveInfinity;
        private int _evaluations;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Random _random;
        private double _spareNormal;
        private bool _hasSpareNormal;
        private string _endReason = "";

        // Per-run state, sized by λ.
        private int _lambda, _mu;
        private double[] _weights = [];
        private double _muEff, _cSigma, _dSigma, _cc, _c1, _cMu, _chiN;
        private double[] _mean = [], _pSigma = [], _pc = [];
        private double[] _c = [], _b = [], _d = [], _work = [], _evdD = [];
        private Complex[] _eigenvalues = [];
        private double[] _z = [], _y = [], _costs = [];
        private int[] _order = [];
        private double[] _zw = [], _yw = [], _tmp = [];
        private double[] _history = [];
        private double _sigma;

        // Buffers of the Gauss–Newton covariance resets, allocated at the first.
        private double[] _jacobian = [], _normal = [], _gradient = [], _vectors = [];

        public Search(CmaEs options, ILeastSquaresProblem problem, ReadOnlySpan<double> start, OptimizationBudget budget)
        {
            _options = options;
            _problem = problem;
            _budget = budget;
            _n = problem.ParameterCount;
            _scale = new double[_n];
            _start = new double[_n];
            for (int i = 0; i < _n; i++)
            {
                if (!double.IsFinite(start[i]))
                    throw new ArgumentException($"start value {i} is not finite");
                _scale[i] = Math.Max(Math.Abs(start[i]), options.MinimumScale);
                _start[i] = start[i] / _scale[i];
            }
            _x = new double[_n];
            _residuals = new double[problem.ResidualCount];
            _bestX = start.ToArray();
            _random = new Random(budget.Seed);
        }

        public OptimizationResult Run()
        {
            int baseLambda = _options.PopulationSize > 0 ? _options.PopulationSize : 4 + (int)Math.Floor(3 * Math.Log(_n));
            baseLambda = Math.Max(baseLambda, 2);
            RunEnd end = RunEnd.None;
            int restart = 0;
            for (; ; restart++)
            {
                end = RunOnce(baseLambda << restart);
                bool restartable = end is RunEnd.Tolerance or RunEnd.Stagnation or RunEnd.NoValidPoint;
                if (!restartable || restart >= _options.MaxRestarts)
                    break;
                // A population the remaining budget cannot evaluate even once would only burn the budget.
                long nextLambda = (long)baseLambda << (restart + 1);
                if (nextLambda > _options.MaxPopulationSize || nextLambda > (long)_budget.MaxEvaluations - _evaluations)
                    break;
            }
            string reason = restart == 0 ? _endReason : $"{_endReason} (after {restart} restart{(restart == 1 ? "" : "s")})";
            bool converged = end is RunEnd.Tolerance or RunEnd.Stagnation or RunEnd.Target;
            return new OptimizationResult((double[])_bestX.Clone(), _bestCost, _evaluations, converged, reason);
        }

        /// <summary>
        /// Resets the covariance to the shape of the Gauss–Newton inverse Hessian at the mean, keeping the volume
        /// σⁿ det(C)^½ (see the remarks). One evaluation with Jacobian; false (nothing changed) when the budget is
        /// spent or the model is invalid or uninformative at the mean.
        /// </summary>
        private bool ResetToGaussNewtonMetric(double samplingSigma)
        {
            int n = _n, m = _problem.ResidualCount;
            if (_evaluations >= _budget.MaxEvaluations)
                return false;
            if (_jacobian.Length == 0)
            {
                _jacobian = new double[m * n];
                _normal = new double[n * n];
                _gradient = new double[n];
                _vectors = new double[n * n];
            }
            for (int i = 0; i < n; i++)
                _x[i] = _scale[i] * _mean[i];
            _evaluations++;
            if (!_problem.Evaluate(_x, _residuals, _jacobian))
                return false;
            Record(_x);
            for (int i = 0; i < m; i++)
                for (int k = 0; k < n; k++)
                    _jacobian[i * n + k] *= _scale[k];   // the Jacobian in the scaled coordinates
            OptimizerRun.NormalMatrix(_jacobian, n, _normal);
            OptimizerRun.Gradient(_jacobian, _residuals, _gradient);
            foreach (double v in _normal)
                if (!double.IsFinite(v))
                    return false;
            if (!ModelPredictsGeneration(samplingSigma))
                return false;
            LinearAlgebraControl.Provider.EigenDecomp(true, n, _normal, _vectors, _eigenvalues, _evdD);
            double maxEigen = 0;
            for (int j = 0; j < n; j++)
                maxEigen = Math.Max(maxEigen, _eigenvalues[j].Real);
            if (!(maxEigen > 0) || !double.IsFinite(maxEigen))
                return false;

            // Axis lengths 1/√λ relative to the stiffest axis (so the largest is 1); σ keeps Π σ D_j.
            double floor = maxEigen / _options.MaxMetricCondition;
            double logVolumeChange = 0;
            for (int j = 0; j < n; j++)
            {
                double d = Math.Sqrt(maxEigen / Math.Max(_eigenvalues[j].Real, floor));
                logVolumeChange += Math.Log(d) - Math.Log(_d[j]);
                _d[j] = d;
            }
            double maxD = 0;
            foreach (double d in _d)
                maxD = Math.Max(maxD, d);
            for (int j = 0; j < n; j++)
                _d[j] /= maxD;
            logVolumeChange -= n * Math.Log(maxD);
            // _vectors is column-major (vector j in column j); B is row-major, B[i, j] = component i of vector j.
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    _b[i * n + j] = _vectors[j * n + i];
            for (int i = 0; i < n; i++)
                for (int j = 0; j <= i; j++)
                {
                    double c = 0;
                    for (int k = 0; k < n; k++)
                        c += _b[i * n + k] * _d[k] * _d[k] * _b[j * n + k];
                    _c[i * n + j] = c;
                    _c[j * n + i] = c;
                }
            _sigma *= Math.Exp(-logVolumeChange / n);
            // The rank-one path points along the old metric's preferred direction; it is relearnt in the new one.
            Array.Clear(_pc);
            return true;
        }

        /// <summary>
        /// Whether the Gauss–Newton model at the new mean, f₀ + gᵀΔ + ½ ΔᵀHΔ, predicts the cost changes of the
        /// generation just evaluated (Δ_k = σ (y_k − ⟨y⟩_w) from the new mean) to within <see cref="MetricModelTolerance"/>
        /// in the root-mean-square sense. Far from a minimum the neglected second derivatives of the residuals matter
        /// and the model's metric would mislead the search; the test costs no evaluation.
        /// </summary>
        private bool ModelPredictsGeneration(double samplingSigma)
        {
            int n = _n;
            double f0 = 0;
            foreach (double r in _residuals)
                f0 += 0.5 * r * r;
            double errorSq = 0, changeSq = 0;
            for (int rank = 0; rank < _lambda; rank++)
            {
                if (!double.IsFinite(_costs[rank]))
                    continue;
                int k = _order[rank];
                for (int i = 0; i < n; i++)
                    _tmp[i] = samplingSigma * (_y[k * n + i] - _yw[i]);
                double predicted = 0;
                for (int i = 0; i < n; i++)
                {
                    double hDelta = 0;
                    for (int j = 0; j < n; j++)
                        hDelta += _normal[i * n + j] * _tmp[j];
                    predicted += _tmp[i] * (_gradient[i] + 0.5 * hDelta);
                }
                double actual = _costs[rank] - f0;
                errorSq += (predicted - actual) * (predicted - actual);
                changeSq += actual * actual;
            }
            return changeSq > 0 && errorSq <= _options.MetricModelTolerance * _options.MetricModelTolerance * changeSq;
        }

        private void Setup(int lambda)
        {
            int n = _n;
            _lambda = lambda;
            _mu = lambda / 2;
            _weights = new double[_mu];
            double sum = 0;
            for (int i = 0; i < _mu; i++)
                sum += _weights[i] = Math.Log((lambda + 1) / 2.0) - Math.Log(i + 1);
            double sumSq = 0;
            for (int i = 0; i < _mu; i++)
            {
                _weights[i] /= sum;
                sumSq += _weights[i] * _weights[i];
            }
            _muEff = 1 / sumSq;
            _cSigma = (_muEff + 2) / (n + _muEff + 5);
            _dSigma = 1 + 2 * Math.Max(0, Math.Sqrt((_muEff - 1) / (n + 1)) - 1) + _cSigma;
            _cc = (4 + _muEff / n) / (n + 4 + 2 * _muEff / n);
            _c1 = 2 / ((n + 1.3) * (n + 1.3) + _muEff);
            _cMu = Math.Min(1 - _c1, 2 * (_muEff - 2 + 1 / _muEff) / ((n + 2) * (n + 2) + _muEff));
            _chiN = Math.Sqrt(n) * (1 - 1.0 / (4 * n) + 1.0 / (21.0 * n * n));

            _mean = (double[])_start.Clone();
            _pSigma = new double[n];
            _pc = new double[n];
            _c = new double[n * n];
            _b = new double[n * n];
            _work = new double[n * n];
            _evdD = new double[n * n];
            _d = new double[n];
            _eigenvalues = new Complex[n];
            for (int i = 0; i < n; i++)
            {
                _c[i * n + i] = 1;
                _b[i * n + i] = 1;
                _d[i] = 1;
            }
            _z = new double[lambda * n];
            _y = new double[lambda * n];
            _costs = new double[lambda];
            _order = new int[lambda];
            _zw = new double[n];
            _yw = new double[n];
            _tmp = new double[n];
            _history = new double[10 + (int)Math.Ceiling(30.0 * n / lambda)];
            _sigma = _options.InitialStepSize;
        }

        private RunEnd RunOnce(int lambda)
        {
            Setup(lambda);
            int n = _n;
            double sigma0 = _sigma;
            int eigenInterval = Math.Max(1, (int)Math.Floor(lambda / (10.0 * n * (_c1 + _cMu))));
            int stagnationWindow = 120 + (int)Math.Ceiling(30.0 * n / lambda);
            double runBest = double.PositiveInfinity;
            bool metric = _options.GaussNewtonMetric && _problem.HasJacobian;
            double metricCost = double.PositiveInfinity;   // the run's best cost at the last covariance reset
            int lastImprovement = 0;
            int historyCount = 0;

            for (int generation = 1; ; generation++)
            {
                RunEnd sampled = SampleGeneration();
                if (sampled != RunEnd.None)
                    return sampled;

                for (int k = 0; k < lambda; k++)
                    _order[k] = k;
                Array.Sort(_costs, _order);   // sorts the costs too: _costs[r] is the r-th best

                if (_bestCost <= _options.TargetCost)
                    return End(RunEnd.Target, $"target cost {_options.TargetCost:G3} reached");

                if (_costs[0] < runBest)
                {
                    runBest = _costs[0];
                    lastImprovement = generation;
                }
                _history[(generation - 1) % _history.Length] = _costs[0];
                historyCount = Math.Min(historyCount + 1, _history.Length);

                double samplingSigma = _sigma;
                Update(generation);

                if (generation % eigenInterval == 0)
                    Decompose();
                if (generation == 1)
                    metricCost = runBest;
                else if (metric && runBest <= metricCost / _options.MetricRefreshFactor)
                {
                    metricCost = runBest;
                    ResetToGaussNewtonMetric(samplingSigma);
                }

                // Termination of this run, local convergence first.
                if (historyCount == _history.Length)
                {
                    double lo = _costs[0], hi = _costs[lambda - 1];
                    foreach (double h in _history)
                    {
                        lo = Math.Min(lo, h);
                        hi = Math.Max(hi, h);
                    }
                    if (hi - lo <= _budget.RelativeCostTolerance * Math.Abs(lo))
                        return End(RunEnd.Tolerance, $"cost range over {_history.Length} generations below the relative tolerance");
                }
                double maxStd = 0, maxMean = 1;
                for (int i = 0; i < n; i++)
                {
                    maxStd = Math.Max(maxStd, _scale[i] * Math.Sqrt(_c[i * n + i]));
                    maxMean = Math.Max(maxMean, Math.Abs(_scale[i] * _mean[i]));
                }
                if (_sigma * maxStd <= _budget.ParameterTolerance * maxMean)
                    return End(RunEnd.Tolerance, "step size below the parameter tolerance");
                if (generation - lastImprovement > stagnationWindow)
                    return End(RunEnd.Stagnation, $"no improvement in {stagnationWindow} generations");
                double maxD = 0, minD = double.PositiveInfinity;
                foreach (double v in _d)
                {
                    maxD = Math.Max(maxD, v);
                    minD = Math.Min(minD, v);
                }
                if (maxD * maxD > _options.MaxCondition * minD * minD)
                    return End(RunEnd.Stagnation, "covariance condition number above the limit");
                if (_sigma * maxD > 1e20 * sigma0 || !double.IsFinite(_sigma))
                    return End(RunEnd.Stagnation, "step size diverged");
                if (NoEffect(generation))
                    return End(RunEnd.Stagnation, "step size too small to change the mean");
            }
        }

        /// <summary>Draws and evaluates λ offspring, redrawing a generation that has no valid member.</summary>
        private RunEnd SampleGeneration()
        {
            int n = _n;
            for (int attempt = 0; ; attempt++)
            {
                bool anyValid = false;
                for (int k = 0; k < _lambda; k++)
                {
                    if (_evaluations >= _budget.MaxEvaluations)
                        return End(RunEnd.Budget, $"evaluation budget of {_budget.MaxEvaluations} exhausted");
                    if (_budget.MaxTime is { } limit && _clock.Elapsed >= limit)
                        return End(RunEnd.Budget, $"time budget of {limit.TotalSeconds:G3} s exhausted");
                    var z = _z.AsSpan(k * n, n);
                    var y = _y.AsSpan(k * n, n);
                    for (int i = 0; i < n; i++)
                        _tmp[i] = _d[i] * (z[i] = NextNormal());
                    for (int i = 0; i < n; i++)
                    {
                        double s = 0;
                        for (int j = 0; j < n; j++)
                            s += _b[i * n + j] * _tmp[j];
                        y[i] = s;
                        _x[i] = _scale[i] * (_mean[i] + _sigma * s);
                    }
                    _costs[k] = Cost(_x);
                    anyValid |= _costs[k] < double.PositiveInfinity;
                }
                if (anyValid)
                    return RunEnd.None;
                if (attempt + 1 >= _options.MaxInvalidGenerations)
                    return End(RunEnd.NoValidPoint, $"no valid offspring in {_options.MaxInvalidGenerations} successive generations");
            }
        }

        private double Cost(double[] x)
        {
            _evaluations++;
            if (!_problem.Evaluate(x, _residuals, Span<double>.Empty))
                return double.PositiveInfinity;
            double sum = 0;
            foreach (double r in _residuals)
                sum += r * r;
            double cost = 0.5 * sum;
            if (!double.IsFinite(cost))
                return double.PositiveInfinity;
            if (cost < _bestCost)
            {
                _bestCost = cost;
                Array.Copy(x, _bestX, _n);
            }
            return cost;
        }

        /// <summary>Counts the residuals last evaluated at <paramref name="x"/> towards the best point.</summary>
        private void Record(double[] x)
        {
            double sum = 0;
            foreach (double r in _residuals)
                sum += r * r;
            double cost = 0.5 * sum;
            if (double.IsFinite(cost) && cost < _bestCost)
            {
                _bestCost = cost;
                Array.Copy(x, _bestX, _n);
            }
        }

        /// <summary>Recombination, evolution paths, covariance and step-size updates (tutorial, Fig. 6/7).</summary>
        private void Update(int generation)
        {
            int n = _n;
            Array.Clear(_zw);
            Array.Clear(_yw);
            for (int r = 0; r < _mu; r++)
            {
                int k = _order[r];
                double w = _weights[r];
                for (int i = 0; i < n; i++)
                {
                    _zw[i] += w * _z[k * n + i];
                    _yw[i] += w * _y[k * n + i];
                }
            }
            for (int i = 0; i < n; i++)
                _mean[i] += _sigma * _yw[i];

            // C^{-1/2} y_w = B z_w, since y_k = B D z_k.
            double pSigmaFactor = Math.Sqrt(_cSigma * (2 - _cSigma) * _muEff);
            double pSigmaNormSq = 0;
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int j = 0; j < n; j++)
                    s += _b[i * n + j] * _zw[j];
                _pSigma[i] = (1 - _cSigma) * _pSigma[i] + pSigmaFactor * s;
                pSigmaNormSq += _pSigma[i] * _pSigma[i];
            }
            double pSigmaNorm = Math.Sqrt(pSigmaNormSq);

            // h_σ stalls the rank-one path while ‖p_σ‖ is large, i.e. while σ is still growing.
            double correction = Math.Sqrt(1 - Math.Pow(1 - _cSigma, 2.0 * generation));
            bool hSigma = pSigmaNorm / correction < (1.4 + 2.0 / (n + 1)) * _chiN;
            double pcFactor = hSigma ? Math.Sqrt(_cc * (2 - _cc) * _muEff) : 0;
            for (int i = 0; i < n; i++)
                _pc[i] = (1 - _cc) * _pc[i] + pcFactor * _yw[i];

            double deltaH = hSigma ? 0 : _cc * (2 - _cc);
            double keep = 1 + _c1 * deltaH - _c1 - _cMu;
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double rankMu = 0;
                    for (int r = 0; r < _mu; r++)
                    {
                        int k = _order[r];
                        rankMu += _weights[r] * _y[k * n + i] * _y[k * n + j];
                    }
                    double v = keep * _c[i * n + j] + _c1 * _pc[i] * _pc[j] + _cMu * rankMu;
                    _c[i * n + j] = v;
                    _c[j * n + i] = v;
                }
            }

            // Capped at e¹ per generation so that one lucky generation cannot blow σ up.
            _sigma *= Math.Exp(Math.Min(1, _cSigma / _dSigma * (pSigmaNorm / _chiN - 1)));
        }

        /// <summary>
    /// C = B D² Bᵀ by MathNet's symmetric eigensolver into the run's buffers (MathNet itself allocates a few hundred
    /// bytes of scratch per call, which is why this runs only every few generations); eigenvalues are floored to keep
    /// D invertible.
    /// </summary>
        private void Decompose()
        {
            int n = _n;
            Array.Copy(_c, _work, _c.Length);   // symmetric, so row- and column-major agree
            LinearAlgebraControl.Provider.EigenDecomp(true, n, _work, _b, _eigenvalues, _evdD);
            // _b is column-major with eigenvectors in columns; transpose to row-major B[i, j] = component i of vector j.
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                    (_b[i * n + j], _b[j * n + i]) = (_b[j * n + i], _b[i * n + j]);
            double maxEigen = 0;
            for (int i = 0; i < n; i++)
                maxEigen = Math.Max(maxEigen, _eigenvalues[i].Real);
            double floor = Math.Max(maxEigen * 1e-30, double.Epsilon);
            for (int i = 0; i < n; i++)
                _d[i] = Math.Sqrt(Math.Max(_eigenvalues[i].Real, floor));
        }

        /// <summary>True when 0.1σ along a principal axis, or 0.2σ along any coordinate, no longer moves the mean.</summary>
        private bool NoEffect(int generation)
        {
            int n = _n;
            int axis = generation % n;
            bool axisEffect = false;
            for (int i = 0; i < n && !axisEffect; i++)
                axisEffect = _mean[i] + 0.1 * _sigma * _d[axis] * _b[i * n + axis] != _mean[i];
            if (!axisEffect)
                return true;
            for (int i = 0; i < n; i++)
                if (_mean[i] + 0.2 * _sigma * Math.Sqrt(_c[i * n + i]) == _mean[i])
                    return true;
            return false;
        }

        private RunEnd End(RunEnd end, string reason)
        {
            _endReason = reason;
            return end;
        }

        /// <summary>Standard normal by the Box–Muller transform, keeping the second value of each pair.</summary>
        private double NextNormal()
        {
            if (_hasSpareNormal)
            {
                _hasSpareNormal = false;
                return _spareNormal;
            }
            double u1 = 1.0 - _random.NextDouble();   // in (0, 1], so the logarithm is finite
            double u2 = _random.NextDouble();
            double radius = Math.Sqrt(-2 * Math.Log(u1));
            _spareNormal = radius * Math.Sin(2 * Math.PI * u2);
            _hasSpareNormal = true;
            return radius * Math.Cos(2 * Math.PI * u2);
        }
    }
}
