using System.Runtime.CompilerServices;
using PoetSharp.Atoms;
using PoetSharp.Data;

namespace PoetSharp.Potentials;

/// <summary>
/// Embedded-atom method potentials from LAMMPS files (eam funcfl, eam/alloy setfl, eam/fs), evaluated exactly as
/// LAMMPS (29 Sep 2021) evaluates them:
///   E = Σ_i F_i(ρ_i) + ½ Σ_i Σ_j φ_ij(r_ij),   ρ_i = Σ_j ρ_{e(j)→e(i)}(r_ij),   φ = (r·φ)(r)/r.
/// Every function is a table fitted with one cubic per interval (see <see cref="EamSpline"/>); the interval index
/// and the position in it are clamped to the table, F is continued linearly past ρ_max, and a pair counts when
/// r² &lt; cutoff². Funcfl files are first re-gridded as LAMMPS does (which drops the last tabulated point and
/// builds r·φ = 27.2·0.529·Z_i(r)·Z_j(r)).
///
/// Immutable and thread-safe: per-call scratch (densities) is kept per thread and only grows.
/// </summary>
public sealed class Eam : IPotential
{
    private const int S = EamSpline.Stride;

    private readonly string[] _elements;
    private readonly double[] _masses;
    private readonly int _ne;
    private readonly int _nr, _nrho;
    private readonly double _dr, _drho, _rdr, _rdrho, _rhoMax, _cutoff, _cutoffSq;

    // Fitted tables, concatenated; the offsets point 7 doubles before a table's first node so that
    // node m (1-based, as LAMMPS counts) of a table is at offset + 7·m.
    private readonly double[] _embedding, _density, _pair;
    private readonly int[] _embeddingAt;  // [a]
    private readonly int[] _densityAt;    // [a·N + b]: density at an atom of element b due to one of element a
    private readonly int[] _pairAt;       // [a·N + b]: r·φ for the pair (symmetric)

    // Per-thread scratch, grown as needed: densities (then F′), element indices, and the pairs within the cutoff
    // (found in the density pass, reused by the force pass so that it neither re-tests nor re-fetches images).
    [ThreadStatic] private static double[]? t_rho;
    [ThreadStatic] private static int[]? t_types;
    [ThreadStatic] private static int[]? t_pairStart;
    [ThreadStatic] private static KeptPair[]? t_pairs;

    public string Name { get; }
    public double Cutoff => _cutoff;
    public IReadOnlyList<string>? Species => _elements;
    public EamFormat Format { get; }
    /// <summary>The file(s) the potential was read from.</summary>
    public IReadOnlyList<string> Files { get; }
    /// <summary>Atomic masses (u) from the file, per element of <see cref="Species"/>.</summary>
    public IReadOnlyList<double> Masses => _masses;
    /// <summary>Density beyond which F is continued linearly: (Nρ−1)·δρ of the file (largest over funcfl files).</summary>
    public double RhoMax => _rhoMax;
    /// <summary>Grid LAMMPS works on after reading: Nr nodes spaced δr, Nρ nodes spaced δρ.</summary>
    public (int Nr, double Dr, int Nrho, double Drho) Grid => (_nr, _dr, _nrho, _drho);

    private Eam(string name, EamFormat format, string[] files, string[] elements, double[] masses,
        int nr, double dr, int nrho, double drho, double rhoMax, double cutoff,
        double[][] embedding, double[][] densityByPair, double[][] rphiByPair)
    {
        Name = name;
        Format = format;
        Files = files;
        _elements = elements;
        _masses = masses;
        _ne = elements.Length;
        _nr = nr; _dr = dr; _nrho = nrho; _drho = drho;
        _rdr = 1.0 / dr;
        _rdrho = 1.0 / drho;
        _rhoMax = rhoMax;
        _cutoff = cutoff;
        _cutoffSq = cutoff * cutoff;

        (_embedding, _embeddingAt) = FitAll(embedding, drho);
        (_density, _densityAt) = FitAll(densityByPair, dr);
        (_pair, _pairAt) = FitAll(rphiByPair, dr);
    }

    // Fits each distinct table once (entries may share the same array) and returns the offsets per entry.
    private static (double[] coefficients, int[] offsets) FitAll(double[][] tables, double delta)
    {
        var distinct = new List<double[]>();
        var offsets = new int[tables.Length];
        var index = new int[tables.Length];
        for (var t = 0; t < tables.Length; t++)
        {
            var found = distinct.FindIndex(d => ReferenceEquals(d, tables[t]));
            if (found < 0) { found = distinct.Count; distinct.Add(tables[t]); }
            index[t] = found;
        }
        var start = new int[distinct.Count];
        var total = 0;
        for (var d = 0; d < distinct.Count; d++) { start[d] = total; total += S * distinct[d].Length; }
        var coefficients = new double[total];
        for (var d = 0; d < distinct.Count; d++)
            EamSpline.Fit(distinct[d], delta, coefficients.AsSpan(start[d], S * distinct[d].Length));
        for (var t = 0; t < tables.Length; t++) offsets[t] = start[index[t]] - S;
        return (coefficients, offsets);
    }

    // ---------------------------------------------------------------- reading

    /// <summary>Reads a potential, choosing the format from the file name: *.eam → funcfl; *.eam.alloy or *.setfl → setfl; *.eam.fs → Finnis–Sinclair.</summary>
    public static Eam FromFile(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".eam.fs")) return ReadFinnisSinclair(path);
        if (name.EndsWith(".eam.alloy") || name.EndsWith(".setfl")) return ReadSetfl(path);
        if (name.EndsWith(".eam")) return ReadFuncfl(path);
        throw new DataFormatException(path, null,
            "cannot tell the EAM format from the file name: expected *.eam (funcfl), *.eam.alloy or *.setfl (setfl), *.eam.fs (Finnis–Sinclair)");
    }

    /// <summary>Reads a single-element funcfl file (pair_style eam); the element comes from the file's atomic number.</summary>
    public static Eam ReadFuncfl(string path) => ReadFuncfl([path]);

    /// <summary>
    /// Reads one or more funcfl files used together (pair_style eam with a pair_coeff i i per file), each for the element
    /// named by its atomic number: all are brought to a common grid and cross pairs use r·φ = 27.2·0.529·Z_i(r)·Z_j(r).
    /// </summary>
    public static Eam ReadFuncfl(IReadOnlyList<string> paths) =>
        FromFuncfl(paths.Select(p => EamFileReader.ReadFuncfl(p)).ToArray());

    /// <summary>Reads a funcfl file for an explicitly given element (for files whose atomic number is not meaningful).</summary>
    public static Eam ReadFuncfl(string path, string element) => FromFuncfl([EamFileReader.ReadFuncfl(path, element)]);

    /// <summary>Reads a multi-element setfl file (pair_style eam/alloy).</summary>
    public static Eam ReadSetfl(string path) => FromSetfl(EamFileReader.ReadSetfl(path, finnisSinclair: false));

    /// <summary>Reads a Finnis–Sinclair setfl file (pair_style eam/fs).</summary>
    public static Eam ReadFinnisSinclair(string path) => FromSetfl(EamFileReader.ReadSetfl(path, finnisSinclair: true));

    private static Eam FromFuncfl(FuncflFile[] files)
    {
        if (files.Length == 0) throw new ArgumentException("no funcfl file given");
        var elements = files.Select(f => f.Element).ToArray();
        for (var a = 0; a < files.Length; a++)
            for (var b = 0; b < a; b++)
                if (elements[a] == elements[b])
                    throw new DataFormatException(files[a].Path, null, $"element {elements[a]} is already described by {files[b].Path}");

        // The common grid: largest spacings and ranges; the counts come from range/spacing rounded.
        double dr = 0, drho = 0, rmax = 0, rhomax = 0;
        foreach (var f in files)
        {
            dr = Math.Max(dr, f.Dr);
            drho = Math.Max(drho, f.Drho);
            rmax = Math.Max(rmax, (f.Z.Length - 1) * f.Dr);
            rhomax = Math.Max(rhomax, (f.Embedding.Length - 1) * f.Drho);
        }
        var nr = (int)(rmax / dr + 0.5);
        var nrho = (int)(rhomax / drho + 0.5);
        if (nr < 4 || nrho < 4) throw new DataFormatException(files[0].Path, null, "tables too short for the common grid");

        var ne = files.Length;
        var embedding = files.Select(f => EamSpline.Regrid(f.Embedding, f.Drho, nrho, drho)).ToArray();
        var density = files.Select(f => EamSpline.Regrid(f.Density, f.Dr, nr, dr)).ToArray();
        var charge = files.Select(f => EamSpline.Regrid(f.Z, f.Dr, nr, dr)).ToArray();
        var densityByPair = new double[ne * ne][];
        var rphiByPair = new double[ne * ne][];
        for (var a = 0; a < ne; a++)
        {
            for (var b = 0; b < ne; b++) densityByPair[a * ne + b] = density[a];
            for (var b = 0; b <= a; b++)
            {
                var rphi = new double[nr];
                // Hartree·Bohr in eV·Å, with LAMMPS's rounded constants.
                for (var m = 0; m < nr; m++) rphi[m] = 27.2 * 0.529 * charge[a][m] * charge[b][m];
                rphiByPair[a * ne + b] = rphiByPair[b * ne + a] = rphi;
            }
        }
        var name = "EAM " + string.Join(" + ", files.Select(f => Path.GetFileName(f.Path)));
        return new Eam(name, EamFormat.Funcfl, files.Select(f => f.Path).ToArray(), elements, files.Select(f => f.Mass).ToArray(),
            nr, dr, nrho, drho, rhomax, files.Max(f => f.Cut), embedding, densityByPair, rphiByPair);
    }

    private static Eam FromSetfl(SetflFile file)
    {
        var ne = file.Elements.Length;
        var densityByPair = new double[ne * ne][];
        var rphiByPair = new double[ne * ne][];
        for (var a = 0; a < ne; a++)
            for (var b = 0; b < ne; b++)
            {
                densityByPair[a * ne + b] = file.FinnisSinclair ? file.Density[a][b] : file.Density[a][0];
                rphiByPair[a * ne + b] = a >= b ? file.RPhi[a][b] : file.RPhi[b][a];
            }
        var nrho = file.Embedding[0].Length;
        var nr = file.RPhi[0][0].Length;
        return new Eam("EAM " + Path.GetFileName(file.Path), file.FinnisSinclair ? EamFormat.FinnisSinclair : EamFormat.Setfl,
            [file.Path], file.Elements, file.Masses, nr, file.Dr, nrho, file.Drho, (nrho - 1) * file.Drho, file.Cut,
            file.Embedding, densityByPair, rphiByPair);
    }

    // ---------------------------------------------------------------- single functions (as the tables give them)

    private int ElementIndex(string element)
    {
        var a = Array.IndexOf(_elements, element);
        return a >= 0 ? a : throw new ArgumentException($"{Name} has no element '{element}' (it describes {string.Join(", ", _elements)})");
    }

    /// <summary>F(ρ) and F′(ρ) for an element, including the linear continuation past <see cref="RhoMax"/>.</summary>
    public (double Value, double Derivative) Embedding(string element, double rho)
    {
        var (f, fp) = Evaluate(_embedding, _embeddingAt[ElementIndex(element)], EmbeddingInterval(rho, out var p), p);
        if (rho > _rhoMax) f += fp * (rho - _rhoMax);
        return (f, fp);
    }

    /// <summary>The density an atom of element <paramref name="from"/> puts at distance r on an atom of element <paramref name="at"/>, and its r-derivative (zero beyond the cutoff).</summary>
    public (double Value, double Derivative) Density(string from, string at, double r)
    {
        if (!(r * r < _cutoffSq)) return (0, 0);
        return Evaluate(_density, _densityAt[ElementIndex(from) * _ne + ElementIndex(at)], DistanceInterval(r, out var p), p);
    }

    /// <summary>The pair energy φ(r) and φ′(r) (zero beyond the cutoff).</summary>
    public (double Value, double Derivative) PairEnergy(string a, string b, double r)
    {
        if (!(r * r < _cutoffSq)) return (0, 0);
        var (z2, z2p) = Evaluate(_pair, _pairAt[ElementIndex(a) * _ne + ElementIndex(b)], DistanceInterval(r, out var p), p);
        var recip = 1.0 / r;
        var phi = z2 * recip;
        return (phi, z2p * recip - phi * recip);
    }

    private int DistanceInterval(double r, out double p)
    {
        p = r * _rdr + 1.0;
        var m = Math.Min((int)p, _nr - 1);
        p -= m;
        if (p > 1.0) p = 1.0;
        return m;
    }

    private int EmbeddingInterval(double rho, out double p)
    {
        p = rho * _rdrho + 1.0;
        var m = Math.Max(1, Math.Min((int)p, _nrho - 1));
        p -= m;
        if (p > 1.0) p = 1.0;
        return m;
    }

    private static (double, double) Evaluate(double[] table, int offset, int m, double p)
    {
        var c = offset + S * m;
        return (((table[c + 3] * p + table[c + 4]) * p + table[c + 5]) * p + table[c + 6],
                (table[c] * p + table[c + 1]) * p + table[c + 2]);
    }

    // ---------------------------------------------------------------- energies, forces, stress

    public void Compute(Structure structure, NeighbourList halfList, PotentialResult result)
    {
        var n = structure.Count;
        if (!halfList.IsHalf) throw new ArgumentException($"{Name} needs a half neighbour list");
        if (halfList.AtomCount != n) throw new ArgumentException($"the neighbour list has {halfList.AtomCount} atoms, the structure {n}");
        if (halfList.Cutoff < _cutoff) throw new ArgumentException($"the neighbour list cutoff {halfList.Cutoff} Å is below the potential's {_cutoff} Å");

        var rho = t_rho;
        if (rho is null || rho.Length < n) t_rho = rho = new double[Math.Max(n, 16)];
        var types = t_types;
        if (types is null || types.Length < n) t_types = types = new int[Math.Max(n, 16)];
        SpeciesTypes.Map(structure.Species, _elements, types, Name);
        var pairStart = t_pairStart;
        if (pairStart is null || pairStart.Length < n + 1) t_pairStart = pairStart = new int[Math.Max(n + 1, 16)];
        t_pairs ??= new KeptPair[1024];

        result.Reset(n);
        Array.Clear(rho, 0, n);
        // A single element needs no type look-ups; the specialisation lets the JIT drop them.
        var (energy, virial) = _ne == 1
            ? Evaluate<OneElement>(structure.Positions, halfList, types, rho, pairStart, result)
            : Evaluate<ManyElements>(structure.Positions, halfList, types, rho, pairStart, result);
        result.Energy = energy;
        result.SetVirialFromPairSum(virial, structure.Cell);
    }

    private (double energy, Stress virial) Evaluate<TMap>(Vec3[] positions, NeighbourList halfList, int[] types, double[] rho,
        int[] pairStart, PotentialResult result) where TMap : struct, ITypeMap
    {
        var n = positions.Length;
        var pairs = t_pairs!;
        for (int atom = 0, count = 0; atom < n;)
        {
            atom = AccumulateDensities<TMap>(positions, halfList, types, rho, pairStart, pairs, atom, ref count);
            if (atom < n) pairs = GrowPairs(count + halfList.NeighbourCount(atom));
        }
        var embedding = Embed(n, types, rho, result.AtomEnergies);
        var (pair, virial) = PairForces<TMap>(n, pairStart, pairs, types, rho, result.Forces, result.AtomEnergies);
        return (embedding + pair, virial);
    }

    // Room for at least `needed` in-range pairs, keeping those already found (grows only while warming up).
    private static KeptPair[] GrowPairs(int needed)
    {
        var old = t_pairs!;
        var grown = new KeptPair[Math.Max(needed, old.Length + old.Length / 2)];
        Array.Copy(old, grown, old.Length);
        return t_pairs = grown;
    }

    private unsafe interface ITypeMap { int Of(int* types, int atom); }
    private unsafe struct OneElement : ITypeMap { public int Of(int* types, int atom) => 0; }
    private unsafe struct ManyElements : ITypeMap { public int Of(int* types, int atom) => types[atom]; }

    // ρ_i = Σ_j ρ_{e(j)→e(i)}(r_ij), each pair of the half list feeding both atoms; the pairs within the cutoff
    // are recorded, those of atom i at [pairStart[i], pairStart[i+1]). Goes from atom `from` on, with `count` pairs
    // recorded so far, and returns the atom at which the record array is too short (n when done).
    private unsafe int AccumulateDensities<TMap>(Vec3[] positions, NeighbourList list, int[] types, double[] rho,
        int[] pairStart, KeptPair[] pairs, int from, ref int recorded) where TMap : struct, ITypeMap
    {
        var count = recorded;
        int n = positions.Length, ne = _ne, nrMax = _nr - 1;
        double rdr = _rdr, cutSq = _cutoffSq;
        fixed (Vec3* pos = positions)
        fixed (int* offsets = list.Offsets, neighbours = list.Neighbours, shiftIndex = list.ShiftIndex)
        fixed (Vec3* shifts = list.ShiftVectors)
        fixed (int* type = types, densityAt = _densityAt, start = pairStart)
        fixed (double* dens = _density, rh = rho)
        fixed (KeptPair* kept = pairs)
        {
            var capacity = pairs.Length;
            for (var i = from; i < n; i++)
            {
                // The filter below writes one record per entry before deciding whether to keep it.
                if (count + (offsets[i + 1] - offsets[i]) > capacity) { recorded = count; return i; }
                var first = count;
                start[i] = first;
                count += KeptPairs.Filter(pos, offsets, neighbours, shiftIndex, shifts, i, cutSq, kept + count);
                var ti = default(TMap).Of(type, i);
                var rhoI = 0.0;
                for (var rec = kept + first; rec < kept + count; rec++)
                {
                    double dx = rec->Dx, dy = rec->Dy, dz = rec->Dz;
                    var r = Math.Sqrt(dx * dx + dy * dy + dz * dz);
                    rec->R = r;
                    var j = rec->J;
                    var p = r * rdr + 1.0;
                    var m = (int)p;
                    if (m > nrMax) m = nrMax;
                    p -= m;
                    if (p > 1.0) p = 1.0;
                    var tj = default(TMap).Of(type, j);
                    var c = dens + densityAt[tj * ne + ti] + S * m;
                    var atI = ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
                    rhoI += atI;
                    if (ti == tj) rh[j] += atI;
                    else
                    {
                        c = dens + densityAt[ti * ne + tj] + S * m;
                        rh[j] += ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
                    }
                }
                rh[i] += rhoI;
            }
            start[n] = count;
            recorded = count;
            return n;
        }
    }

    // F(ρ_i) into the per-atom energies; ρ_i is replaced by F′(ρ_i). Returns Σ F.
    private unsafe double Embed(int n, int[] types, double[] rho, Span<double> atomEnergies)
    {
        int nrhoMax = _nrho - 1;
        double rdrho = _rdrho, rhoMax = _rhoMax, total = 0;
        fixed (int* type = types, embeddingAt = _embeddingAt)
        fixed (double* emb = _embedding, rh = rho, e = atomEnergies)
        {
            for (var i = 0; i < n; i++)
            {
                var r = rh[i];
                var p = r * rdrho + 1.0;
                var m = (int)p;
                if (m > nrhoMax) m = nrhoMax;
                if (m < 1) m = 1;
                p -= m;
                if (p > 1.0) p = 1.0;
                var c = emb + embeddingAt[type[i]] + S * m;
                var fp = (c[0] * p + c[1]) * p + c[2];
                var f = ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
                // Past the table F goes on linearly, so that close approaches conserve energy.
                if (r > rhoMax) f += fp * (r - rhoMax);
                e[i] = f;
                total += f;
                rh[i] = fp;
            }
        }
        return total;
    }

    // Pair energies (half to each atom), forces and Σ (∂E/∂r) r_a r_b / r. fp holds F′(ρ) per atom.
    private unsafe (double energy, Stress virial) PairForces<TMap>(int n, int[] pairStart, KeptPair[] pairs, int[] types, double[] fp,
        Span<Vec3> forces, Span<double> atomEnergies) where TMap : struct, ITypeMap
    {
        int ne = _ne, nrMax = _nr - 1;
        double rdr = _rdr;
        double energy = 0, sxx = 0, syy = 0, szz = 0, syz = 0, sxz = 0, sxy = 0;
        fixed (Vec3* force = forces)
        fixed (int* type = types, densityAt = _densityAt, pairAt = _pairAt, start = pairStart)
        fixed (double* dens = _density, pair = _pair, fpp = fp, e = atomEnergies)
        fixed (KeptPair* kept = pairs)
        {
            for (var i = 0; i < n; i++)
            {
                var ti = default(TMap).Of(type, i);
                var fpi = fpp[i];
                double fx = 0, fy = 0, fz = 0, ei = 0;
                for (int k = start[i], end = start[i + 1]; k < end; k++)
                {
                    var rec = kept + k;
                    var j = rec->J;
                    double dx = rec->Dx, dy = rec->Dy, dz = rec->Dz, r = rec->R;
                    var p = r * rdr + 1.0;
                    var m = (int)p;
                    if (m > nrMax) m = nrMax;
                    p -= m;
                    if (p > 1.0) p = 1.0;
                    var tj = default(TMap).Of(type, j);
                    // ∂ρ_j/∂r (density at j due to i) and ∂ρ_i/∂r.
                    var c = dens + densityAt[ti * ne + tj] + S * m;
                    var rhoJDeriv = (c[0] * p + c[1]) * p + c[2];
                    var rhoIDeriv = rhoJDeriv;
                    if (ti != tj)
                    {
                        c = dens + densityAt[tj * ne + ti] + S * m;
                        rhoIDeriv = (c[0] * p + c[1]) * p + c[2];
                    }
                    c = pair + pairAt[ti * ne + tj] + S * m;
                    var z2p = (c[0] * p + c[1]) * p + c[2];
                    var z2 = ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
                    var recip = 1.0 / r;
                    var phi = z2 * recip;
                    var phip = z2p * recip - phi * recip;
                    var dEdr = fpi * rhoIDeriv + fpp[j] * rhoJDeriv + phip;
                    var w = dEdr * recip;
                    // d = r_j − r_i: F_i = (∂E/∂r) d/r, F_j = −F_i.
                    double wx = w * dx, wy = w * dy, wz = w * dz;
                    fx += wx; fy += wy; fz += wz;
                    ref var fj = ref force[j];
                    fj = new Vec3(fj.X - wx, fj.Y - wy, fj.Z - wz);
                    sxx += wx * dx; syy += wy * dy; szz += wz * dz;
                    syz += wy * dz; sxz += wx * dz; sxy += wx * dy;
                    energy += phi;
                    var half = 0.5 * phi;
                    ei += half;
                    e[j] += half;
                }
                ref var f = ref force[i];
                f = new Vec3(f.X + fx, f.Y + fy, f.Z + fz);
                e[i] += ei;
            }
        }
        return (energy, new Stress(sxx, syy, szz, syz, sxz, sxy));
    }
}
