using MathNet.Numerics.LinearAlgebra;

namespace PoetSharp.Fitting;

/// <summary>
/// Levenberg–Marquardt with the analytic Jacobian: steps solve (JᵀJ + μ·D) h = −Jᵀr with Marquardt's scaling
/// D = diag(JᵀJ) (kept at its running maximum so a column that vanishes temporarily keeps some damping), accepted by the
/// gain ratio of actual to predicted reduction, with Nielsen's update of μ. An invalid trial point counts as a rejected
/// step. The current point is always the best valid one seen, since only decreasing steps are accepted.
/// </summary>
public sealed class LevenbergMarquardt : IOptimizer
{
    public string Name => "lm";

    /// <summary>Initial damping, relative to the diagonal of JᵀJ.</summary>
    public double InitialDamping { get; init; } = 1e-3;

    /// <summary>
    /// Stop (converged) when max_k |∂f/∂c_k|·max(|c_k|, 1) falls to this: the gradient with respect to relative changes
    /// of large constants, so that a prefactor of 10⁵ (Lennard-Jones' A) is not declared converged by its tiny raw slope.
    /// </summary>
    public double GradientTolerance { get; init; } = 1e-14;

    public OptimizationResult Minimize(ILeastSquaresProblem problem, ReadOnlySpan<double> start, OptimizationBudget budget)
        => new Run(new OptimizerRun(problem, start, budget), start, InitialDamping, GradientTolerance).Execute();

    private sealed class Run
    {
        private readonly OptimizerRun run;
        private readonly int n;
        private readonly double initialDamping, gradientTolerance;
        private readonly double[] x, xTrial, step, gradient, normal, scale, factor;
        private double[] residuals, jacobian, residualsTrial, jacobianTrial;
        private double cost;

        public Run(OptimizerRun run, ReadOnlySpan<double> start, double initialDamping, double gradientTolerance)
        {
            this.run = run;
            n = run.ParameterCount;
            int m = run.ResidualCount;
            this.initialDamping = initialDamping;
            this.gradientTolerance = gradientTolerance;
            x = start.ToArray();
            xTrial = new double[n];
            step = new double[n];
            gradient = new double[n];
            normal = new double[n * n];
            scale = new double[n];
            factor = new double[n * n];
            residuals = new double[m];
            residualsTrial = new double[m];
            jacobian = new double[m * n];
            jacobianTrial = new double[m * n];
        }

        public OptimizationResult Execute()
        {
            cost = run.Evaluate(x, residuals, jacobian);
            if (double.IsPositiveInfinity(cost))
                return Result(false, "the model is invalid at the start point");

            double mu = initialDamping, nu = 2;
            while (true)
            {
                BuildNormalEquations();
                if (cost == 0)
                    return Result(true, "zero cost reached");
                if (ScaledGradientNorm() <= gradientTolerance)
                    return Result(true, "gradient norm below tolerance");

                // Inner loop: raise the damping until a step lowers the cost.
                while (true)
                {
                    if (run.Exhausted(out string budgetReason))
                        return Result(false, budgetReason);
                    if (!SolveDampedStep(mu))
                        return Result(false, "no step: the damped normal equations cannot be solved (a non-finite or degenerate Jacobian)");
                    if (run.StepNegligible(step, x))
                        return Result(true, "parameter change below tolerance");

                    double predicted = PredictedReduction(mu);
                    for (int k = 0; k < n; k++)
                        xTrial[k] = x[k] + step[k];
                    double trialCost = run.Evaluate(xTrial, residualsTrial, jacobianTrial);
                    double actual = cost - trialCost;
                    if (predicted > 0 && actual > 0)
                    {
                        double rho = actual / predicted;
                        double previous = cost;
                        Accept(trialCost);
                        mu *= Math.Max(1.0 / 3.0, 1 - Math.Pow(2 * rho - 1, 3));
                        nu = 2;
                        double tolerance = run.Budget.RelativeCostTolerance * previous;
                        if (actual <= tolerance && predicted <= tolerance)
                            return Result(true, "relative cost decrease below tolerance");
                        break;
                    }
                    // Rejected, or the model is invalid there: both call for a shorter, more gradient-like step.
                    mu *= nu;
                    nu *= 2;
                    if (!double.IsFinite(mu) || !double.IsFinite(nu))
                        return Result(false, "damping overflowed without finding a lower cost");
                }
            }
        }

        private double ScaledGradientNorm()
        {
            double max = 0;
            for (int k = 0; k < n; k++)
                max = Math.Max(max, Math.Abs(gradient[k]) * Math.Max(Math.Abs(x[k]), 1));
            return max;
        }

        private void Accept(double trialCost)
        {
            Array.Copy(xTrial, x, n);
            (residuals, residualsTrial) = (residualsTrial, residuals);
            (jacobian, jacobianTrial) = (jacobianTrial, jacobian);
            cost = trialCost;
        }

        private void BuildNormalEquations()
        {
            OptimizerRun.NormalMatrix(jacobian, n, normal);
            OptimizerRun.Gradient(jacobian, residuals, gradient);

            double maxDiagonal = 0;
            for (int k = 0; k < n; k++)
            {
                scale[k] = Math.Max(scale[k], normal[k * n + k]);
                maxDiagonal = Math.Max(maxDiagonal, scale[k]);
            }
            // A parameter the residuals have never depended on still needs damping to keep the system definite.
            double floor = maxDiagonal > 0 ? 1e-12 * maxDiagonal : 1;
            for (int k = 0; k < n; k++)
                scale[k] = Math.Max(scale[k], floor);
        }

        /// <summary>L(0) − L(h) = ½ hᵀ(μ D h − g) for the step solving (JᵀJ + μD) h = −g.</summary>
        private double PredictedReduction(double mu)
        {
            double sum = 0;
            for (int k = 0; k < n; k++)
                sum += step[k] * (mu * scale[k] * step[k] - gradient[k]);
            return 0.5 * sum;
        }

        /// <summary>The damped Gauss–Newton step into <see cref="step"/>; false when neither Cholesky nor the SVD can solve for it.</summary>
        private bool SolveDampedStep(double mu)
        {
            for (int a = 0; a < n; a++)
            {
                for (int b = 0; b < n; b++)
                    factor[a * n + b] = normal[a * n + b];
                factor[a * n + a] += mu * scale[a];
            }
            return CholeskySolve() || SvdSolve(mu);
        }

        /// <summary>
        /// In-place Cholesky of the damped matrix and solve for −g into step. Fails (false) when a pivot is not clearly
        /// positive relative to its diagonal entry, i.e. the matrix is numerically singular or badly conditioned.
        /// </summary>
        private bool CholeskySolve()
        {
            if (!OptimizerRun.CholeskyFactor(factor, n, 1e-13))
                return false;
            for (int i = 0; i < n; i++)
                step[i] = -gradient[i];
            OptimizerRun.CholeskySolve(factor, n, step, step);
            return true;
        }

        /// <summary>
        /// Fallback for an ill-conditioned damped matrix: a truncated SVD solve. It allocates, but it is only reached
        /// when Cholesky fails, which Marquardt's damping makes rare.
        /// </summary>
        private bool SvdSolve(double mu)
        {
            var matrix = Matrix<double>.Build.Dense(n, n, (a, b) => normal[a * n + b] + (a == b ? mu * scale[a] : 0));
            if (!matrix.Enumerate().All(double.IsFinite))
                return false;
            MathNet.Numerics.LinearAlgebra.Factorization.Svd<double> svd;
            try { svd = matrix.Svd(computeVectors: true); }
            catch (MathNet.Numerics.NonConvergenceException) { return false; }
            double cutoff = svd.S[0] * n * 1e-15;
            var u = svd.U;
            var vt = svd.VT;
            Array.Clear(step);
            for (int s = 0; s < n; s++)
            {
                double sigma = svd.S[s];
                if (!(sigma > cutoff))
                    break;
                double coefficient = 0;
                for (int k = 0; k < n; k++)
                    coefficient -= u[k, s] * gradient[k];
                coefficient /= sigma;
                for (int k = 0; k < n; k++)
                    step[k] += coefficient * vt[s, k];
            }
            return true;
        }

        private OptimizationResult Result(bool converged, string reason)
            => new((double[])x.Clone(), cost, run.Evaluations, converged, reason);
    }
}
