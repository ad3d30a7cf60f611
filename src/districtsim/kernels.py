"""Compiled loops over the resident arrays: each fuses one phase's per-resident passes into one.

The phases' rules are written as numpy expressions in their modules (and, one resident at
a time, in :mod:`districtsim.reference`); at full scale (about 700,000 places) each such
expression is a pass over memory, and a month made about a hundred of them. A kernel here
does the same arithmetic for one place at a time in a single pass, compiled with numba.

Each kernel reproduces the numpy expression it replaces operation by operation, in the same
floating-point types and order (float32 where the arrays are float32; a Python float that
numpy would cast to float32 is passed as ``np.float32``), so the results are bit-identical
to the numpy form: ``tests/test_kernels.py`` checks each kernel against it on a stepped
model's state. The kernels use no transcendental function whose numba form differs from numpy's:
only the logistic function (``1 / (1 + exp(-z))`` in float32, which is what
``scipy.special.expit`` computes). They take no random draws (the phases draw from their
named streams and hand the draws in) and allocate only their outputs.

At large scale a kernel runs on slices of the places on several threads (:func:`in_chunks`;
:func:`set_threads`, the environment variable ``DISTRICTSIM_THREADS``): each slice is
independent, and the kernels that collect places join the slices in place order, so the
results do not depend on the number of threads. Inside the kernels every index is unsigned
(:data:`U`). :func:`uniforms` draws numpy's own PCG64 uniforms in slices, the same numbers
``Generator.random`` gives.

Compiled code is cached on disk (numba's ``cache=True``) next to this module or, where that
is not writable, in numba's user cache directory, so only the first run on a machine pays
the compilation (a few seconds).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

_JIT = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}

F1 = np.float32(1.0)
F0 = np.float32(0.0)
U = np.uint64
"""Index type inside the kernels: with an unsigned index numba leaves out the wrap-around of
negative indices (a compare and a select per access, and no vectorised loop); every index here
is non-negative."""

MIN_CHUNK = 100_000
"""Places per thread below which a kernel runs in one piece (a thread's hand-off costs tens of
microseconds)."""

_threads = 0
_pool: ThreadPoolExecutor | None = None


def threads() -> int:
    """Return how many threads the kernels use (see :func:`set_threads`)."""
    global _threads
    if _threads == 0:
        env = os.environ.get("DISTRICTSIM_THREADS", "").strip()
        _threads = int(env) if env.isdigit() and int(env) > 0 else len(os.sched_getaffinity(0))
    return _threads


def set_threads(n: int) -> None:
    """Use ``n`` threads in the kernels (0: the default again).

    The default is the ``DISTRICTSIM_THREADS`` environment variable, else the CPUs this
    process may use. Results do not depend on it: each thread takes a contiguous slice of the
    places, and the kernels that collect places (joiners, move candidates) join the slices in
    place order. Sweep and comparison workers set 1 (the workers already use every core).
    """
    global _threads, _pool
    _threads = max(0, int(n))
    if _pool is not None:
        _pool.shutdown(wait=False)
        _pool = None


def chunk_bounds(n: int, size: int = 1) -> list[int]:
    """Return the slice bounds ``[0, ..., n]`` of ``n`` items of ``size`` elements each.

    One slice per thread, but none smaller than :data:`MIN_CHUNK` elements.
    """
    parts = max(1, min(threads(), n * size // MIN_CHUNK))
    return [n * j // parts for j in range(parts + 1)]


def in_chunks(kernel: Callable[..., int], n: int, *args: object) -> list[tuple[int, int]]:
    """Run ``kernel(lo, hi, *args)`` over contiguous slices of ``range(n)``, one per thread.

    Returns each slice's start and the kernel's return value (for the collecting kernels,
    how many places it found, written from the slice's start on; see :func:`gather_found`).
    The kernels release the GIL (``nogil``), so the slices run at the same time.
    """
    bounds = chunk_bounds(n)
    found = _run_slices(
        kernel, [(lo, hi, *args) for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]
    )
    return list(zip(bounds[:-1], found, strict=True))


def _run_slices(kernel: Callable[..., int], calls: list[tuple]) -> list[int]:
    """Call ``kernel(*args)`` for each tuple of ``calls``, the first here, the rest on threads."""
    global _pool
    if len(calls) == 1:
        return [kernel(*calls[0])]
    if _pool is None:
        _pool = ThreadPoolExecutor(threads() - 1, thread_name_prefix="districtsim-kernel")
    rest = [_pool.submit(kernel, *args) for args in calls[1:]]
    return [kernel(*calls[0])] + [f.result() for f in rest]


def in_row_slices(fn: Callable[[int, int], object], n_rows: int, row_size: int) -> None:
    """Call ``fn(lo, hi)`` over contiguous slices of ``n_rows`` rows, one per thread.

    For numpy work on the rows of a large array (numpy releases the GIL in its loops): each
    row's result must depend only on that row, so the slices give what one call would.
    Rows of ``row_size`` elements count like places towards :data:`MIN_CHUNK`.
    """
    bounds = chunk_bounds(n_rows, row_size)

    def call(lo: int, hi: int) -> int:
        fn(lo, hi)
        return 0

    _run_slices(call, list(zip(bounds[:-1], bounds[1:], strict=True)))


def gather_found(found: list[tuple[int, int]], out: np.ndarray) -> np.ndarray:
    """Join what each slice of :func:`in_chunks` wrote at its start, in place order."""
    if len(found) == 1:
        return out[: found[0][1]]
    return np.concatenate([out[lo : lo + count] for lo, count in found])


def code_dtype(k: int) -> np.dtype:
    """Return the integer type of :func:`reach`'s tie code buffer for ``k`` ties per place."""
    return np.min_scalar_type(k * ((1 << k.bit_length()) + 1))


def reach(
    partners: np.ndarray,
    k: int,
    was_active: np.ndarray,
    occupied: np.ndarray,
    table_index: np.ndarray,
    table: np.ndarray,
    u: np.ndarray,
    code: np.ndarray,
    n_active: np.ndarray,
    n_occupied: np.ndarray,
    is_reached: np.ndarray,
) -> None:
    """Count each place's active and occupied ties and decide who is reached (phase 3).

    ``partners`` holds ``k`` tie targets per place (the CSR indices of the tie matrix);
    ``table[table_index[i] + n_active[i]]`` is place ``i``'s reach probability; place ``i``
    is reached when occupied and ``u[i]`` is below it. Writes ``n_active``, ``n_occupied``
    and ``is_reached``.

    Each place first gets the code ``occupied + 2**bits * was_active`` in the buffer
    ``code`` (``2**bits > k``, so the occupied count never carries into the active count;
    the buffer's integer type must hold ``k * (2**bits + 1)``, see :func:`code_dtype`), so
    one read per tie gives both counts (the gathers over the ties are most of the cost).
    """
    n = occupied.shape[0]
    bits = 1
    while (1 << bits) <= k:
        bits += 1
    in_chunks(_tie_code, n, bits, was_active, occupied, code)
    in_chunks(
        _reach,
        n,
        bits,
        partners,
        k,
        occupied,
        table_index,
        table,
        u,
        code,
        n_active,
        n_occupied,
        is_reached,
    )


@numba.njit(**_JIT)
def _tie_code(
    lo: int, hi: int, bits: int, was_active: np.ndarray, occupied: np.ndarray, code: np.ndarray
) -> int:
    for i in range(U(lo), U(hi)):
        code[i] = (np.uint8(was_active[i]) << bits) | np.uint8(occupied[i])
    return 0


@numba.njit(**_JIT)
def _reach(
    lo: int,
    hi: int,
    bits: int,
    partners: np.ndarray,
    k: int,
    occupied: np.ndarray,
    table_index: np.ndarray,
    table: np.ndarray,
    u: np.ndarray,
    code: np.ndarray,
    n_active: np.ndarray,
    n_occupied: np.ndarray,
    is_reached: np.ndarray,
) -> int:
    mask = (1 << bits) - 1
    kk = U(k)
    for i in range(U(lo), U(hi)):
        c = 0
        base = i * kk
        for j in range(kk):
            c += code[U(partners[base + j])]
        na = c >> bits
        n_active[i] = na
        n_occupied[i] = c & mask
        is_reached[i] = occupied[i] and u[i] < table[U(table_index[i] + na)]
    return 0


def mobilise(
    is_reached: np.ndarray,
    district: np.ndarray,
    identity: np.ndarray,
    event_orientation: np.ndarray,
    event_now: np.ndarray,
    engagement: np.ndarray,
    months: np.ndarray,
    orientation: np.ndarray,
    theta: np.ndarray,
    n_active: np.ndarray,
    n_occupied: np.ndarray,
    u: np.ndarray,
    coef: np.ndarray,
    is_active: np.ndarray,
) -> None:
    """Apply the threshold rule to the reached residents (phase 4); write ``is_active``.

    ``coef`` (float32) holds ``a_identity, a_engagement, a_tenure, attachment_months,
    b_social, b_event, tau``; ``identity`` and ``event_orientation`` (float32, NaN replaced)
    are per district.
    """
    in_chunks(
        _mobilise,
        is_reached.shape[0],
        is_reached,
        district,
        identity,
        event_orientation,
        event_now,
        engagement,
        months,
        orientation,
        theta,
        n_active,
        n_occupied,
        u,
        coef,
        is_active,
    )


@numba.njit(**_JIT)
def _mobilise(
    lo: int,
    hi: int,
    is_reached: np.ndarray,
    district: np.ndarray,
    identity: np.ndarray,
    event_orientation: np.ndarray,
    event_now: np.ndarray,
    engagement: np.ndarray,
    months: np.ndarray,
    orientation: np.ndarray,
    theta: np.ndarray,
    n_active: np.ndarray,
    n_occupied: np.ndarray,
    u: np.ndarray,
    coef: np.ndarray,
    is_active: np.ndarray,
) -> int:
    a_i, a_e, a_t, t_att, b_s, b_ev, tau = (
        coef[0],
        coef[1],
        coef[2],
        coef[3],
        coef[4],
        coef[5],
        coef[6],
    )
    for i in range(U(lo), U(hi)):
        if not is_reached[i]:
            is_active[i] = False
            continue
        d = U(district[i])
        attach = min(np.float32(months[i]) / t_att, F1)
        motiv = a_i * identity[d] + a_e * engagement[i] + a_t * attach
        pull = F1 - abs(orientation[i] - event_orientation[d]) if event_now[d] else F0
        share = np.float32(n_active[i]) / np.float32(max(n_occupied[i], 1))
        z = (motiv + b_s * share + b_ev * pull - theta[i]) / tau
        p = F1 / (F1 + math.exp(-z))
        is_active[i] = u[i] < p
    return 0


def membership(
    u: np.ndarray,
    member_of: np.ndarray,
    is_active: np.ndarray,
    is_reached: np.ndarray,
    engagement: np.ndarray,
    occupied: np.ndarray,
    p_join: np.float32,
    p_join_reached: np.float32,
    p_exit: np.float32,
) -> np.ndarray:
    """Members leave, active non-members are chosen to join (phase 5); return the joiners.

    A member leaves (``member_of = -1``) when ``u < p_exit``, and every place without an
    occupant loses its membership; a non-member joins when ``u`` is below
    ``p_join`` (if active) plus ``p_join_reached * engagement`` (if reached and
    ``p_join_reached`` is not 0). Returns the joining places in ascending order (their
    association is chosen by the caller).
    """
    n = u.shape[0]
    join = np.empty(n, dtype=np.int64)
    found = in_chunks(
        _membership,
        n,
        u,
        member_of,
        is_active,
        is_reached,
        engagement,
        occupied,
        p_join,
        p_join_reached,
        p_exit,
        join,
    )
    return gather_found(found, join)


@numba.njit(**_JIT)
def _membership(
    lo: int,
    hi: int,
    u: np.ndarray,
    member_of: np.ndarray,
    is_active: np.ndarray,
    is_reached: np.ndarray,
    engagement: np.ndarray,
    occupied: np.ndarray,
    p_join: np.float32,
    p_join_reached: np.float32,
    p_exit: np.float32,
    join: np.ndarray,
) -> int:
    n_join = 0
    for i in range(U(lo), U(hi)):
        if member_of[i] >= 0:
            if u[i] < p_exit or not occupied[i]:
                member_of[i] = -1
            continue
        p = p_join if is_active[i] else F0
        if p_join_reached != F0:
            p = p + (p_join_reached * engagement[i] if is_reached[i] else F0)
        if u[i] < p:
            join[U(lo) + U(n_join)] = i
            n_join += 1
    return n_join


@numba.njit(**_JIT)
def association_counts(
    member_of: np.ndarray,
    district: np.ndarray,
    n_slots: int,
    n_keys: int,
    engagement: np.ndarray,
    is_active: np.ndarray,
    orientation: np.ndarray,
    cut: np.float32,
    width: np.float32,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return members, expected volunteers, active members and their orientation sum per key.

    The key of a member is ``district * n_slots + member_of`` (an association). Volunteers
    are the members' volunteer chances, ``expit((engagement - cut) / width)`` in float32
    (``engagement >= cut`` at ``width`` 0), summed in float64 in place order, as
    ``np.bincount`` with weights sums them.
    """
    members = np.zeros(n_keys)
    volunteers = np.zeros(n_keys)
    n_active = np.zeros(n_keys)
    orient = np.zeros(n_keys)
    sharp = width == F0
    for i in range(U(member_of.shape[0])):
        slot = member_of[i]
        if slot < 0:
            continue
        key = U(district[i]) * U(n_slots) + U(slot)
        members[key] += 1.0
        e = engagement[i]
        if sharp:
            volunteers[key] += 1.0 if e >= cut else 0.0
        else:
            volunteers[key] += np.float64(F1 / (F1 + math.exp(-((e - cut) / width))))
        if is_active[i]:
            n_active[key] += 1.0
            orient[key] += np.float64(orientation[i])
    return members, volunteers, n_active, orient


def move_candidates(
    occupied: np.ndarray,
    district: np.ndarray,
    tenure: np.ndarray,
    income: np.ndarray,
    months: np.ndarray,
    price_ref: np.ndarray,
    pass_through: np.ndarray,
    discount: np.ndarray,
    price: np.ndarray,
    place_price: np.ndarray,
    bound: np.ndarray,
    u: np.ndarray,
    income_growth: np.float32,
    cost_factor: np.float32,
    burden_cap: np.float32,
    alpha_burden: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Grow incomes and stays, then find who may move this month (phase 10a).

    First every place's income grows by ``income_growth`` and an occupant's months in the
    district by one (:func:`districtsim.migration.grow_incomes_and_attachment`). Then the
    housing burden above the cap (:func:`districtsim.migration.burden_excess`), with the
    tenure terms ``pass_through[tenure]`` and ``discount[tenure]`` (float32 tables of the
    three tenures): the cost follows ``price[district]`` or, where ``place_price`` has an
    entry per place, that. A resident is a candidate mover when the uniform draw is below
    the hazard bound of their tenure and district (``bound``, shape (tenures, districts))
    times ``exp(alpha_burden * excess)``, the burden's factor on the hazard (computed in
    float64 with a relative margin of 1e-4, far above the difference between this ``exp``
    and numpy's, so no resident whose exact hazard could make them move is left out).
    Returns the candidates (ascending) and their burden excess.
    """
    n = occupied.shape[0]
    cand = np.empty(n, dtype=np.int64)
    excess_c = np.empty(n, dtype=np.float32)
    found = in_chunks(
        _move_candidates,
        n,
        occupied,
        district,
        tenure,
        income,
        months,
        price_ref,
        pass_through,
        discount,
        price,
        place_price,
        bound,
        u,
        income_growth,
        cost_factor,
        burden_cap,
        alpha_burden,
        cand,
        excess_c,
    )
    return gather_found(found, cand), gather_found(found, excess_c)


@numba.njit(**_JIT)
def _move_candidates(
    lo: int,
    hi: int,
    occupied: np.ndarray,
    district: np.ndarray,
    tenure: np.ndarray,
    income: np.ndarray,
    months: np.ndarray,
    price_ref: np.ndarray,
    pass_through: np.ndarray,
    discount: np.ndarray,
    price: np.ndarray,
    place_price: np.ndarray,
    bound: np.ndarray,
    u: np.ndarray,
    income_growth: np.float32,
    cost_factor: np.float32,
    burden_cap: np.float32,
    alpha_burden: float,
    cand: np.ndarray,
    excess_c: np.ndarray,
) -> int:
    per_place = place_price.shape[0] == occupied.shape[0]
    n_cand = 0
    alpha32 = np.float32(alpha_burden)
    for i in range(U(lo), U(hi)):
        y = income[i] * income_growth
        income[i] = y
        if not occupied[i]:
            continue
        months[i] += 1
        d = U(district[i])
        t = U(tenure[i])
        p_now = place_price[i] if per_place else price[d]
        ref = price_ref[i]
        cost = (p_now - ref) * pass_through[t] + ref
        cost = cost * cost_factor * discount[t]
        cost = cost / max(y, F1)
        excess = max(cost - burden_cap, F0)
        # A coarse float32 first test rules out most residents cheaply: a candidate below
        # has u < bound * exp(x) * 1.0001 <= bound * 1.0001 / (1 - x) (x < 1), so
        # u (1 - x) < bound * 1.0001; in float32 with a margin of 1e-3 (for x <= 0.99 the
        # rounding of x changes 1 - x by under 1e-5 of itself) no candidate is ruled out.
        x32 = alpha32 * excess
        if x32 < np.float32(0.99) and u[i] * (F1 - x32) >= bound[t, d] * np.float32(1.001):
            continue
        limit = np.float64(bound[t, d])
        draw = np.float64(u[i])
        if draw >= limit and excess > F0:
            x = alpha_burden * np.float64(excess)
            # exp(x) <= 1 / (1 - x) for x < 1: most residents are ruled out without the exp.
            if x < 1.0 and draw * (1.0 - x) >= limit * 1.0001:
                continue
            limit *= math.exp(x) * 1.0001
        if draw < limit:
            cand[U(lo) + U(n_cand)] = i
            excess_c[U(lo) + U(n_cand)] = excess
            n_cand += 1
    return n_cand


def outside_ties(
    is_active: np.ndarray,
    partners: np.ndarray,
    k: int,
    active_competent: np.ndarray,
    district: np.ndarray,
) -> np.ndarray:
    """Return a key per tie from an active resident to an active competent one elsewhere.

    For each tie from an active ``i`` to an active competent ``j`` in another district (phase
    7; ``n`` places, ``k`` tie targets per place in ``partners``) the key is
    ``district[i] * n + j``, in place order of ``i``, duplicates kept. Few residents are
    active (a few per cent), so the scan reads ``is_active`` eight places at a time and
    skips the words without an active place.
    """
    n = is_active.shape[0]
    words = is_active[: n - n % 8].view(np.uint64)
    n_max = int(np.count_nonzero(is_active)) * k
    return _outside_ties(words, is_active, partners, k, active_competent, district, n_max)


@numba.njit(**_JIT)
def _outside_ties(
    words: np.ndarray,
    is_active: np.ndarray,
    partners: np.ndarray,
    k: int,
    active_competent: np.ndarray,
    district: np.ndarray,
    n_max: int,
) -> np.ndarray:
    n = is_active.shape[0]
    keys = np.empty(n_max, dtype=np.int64)
    m = 0
    kk = U(k)
    n_words = U(words.shape[0])
    for w in range(n_words + U(1)):
        if w < n_words and words[w] == 0:
            continue
        for i in range(w * U(8), min(w * U(8) + U(8), U(n))):
            if not is_active[i]:
                continue
            home = district[i]
            base = i * kk
            for j in range(kk):
                target = U(partners[base + j])
                if active_competent[target] and district[target] != home:
                    keys[m] = np.int64(home) * n + np.int64(target)
                    m += 1
    return keys[:m]


@numba.njit(**_JIT)
def block_int_sums(values: np.ndarray, where: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Return the int64 sum of integer ``values`` where ``where`` in each block of places.

    Blocks are the districts' contiguous slices ``start[d]:start[d + 1]``. Integer sums are
    exact in any order, so their float64 values equal those of the float64 block sums
    (:meth:`districtsim.residents.Blocks.sum`) while below 2**53.
    """
    out = np.zeros(start.shape[0] - 1, dtype=np.int64)
    for d in range(start.shape[0] - 1):
        s = 0
        for i in range(U(start[d]), U(start[d + 1])):
            if where[i]:
                s += values[i]
        out[d] = s
    return out


@numba.njit(**_JIT)
def block_counts(mask: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Return the number of True places of ``mask`` in each block (float64, as counts).

    Blocks are the districts' contiguous slices ``start[d]:start[d + 1]``.
    """
    out = np.zeros(start.shape[0] - 1)
    for d in range(start.shape[0] - 1):
        c = 0
        for i in range(U(start[d]), U(start[d + 1])):
            c += mask[i]
        out[d] = c
    return out


# Uniform draws: numpy's PCG64 stream, filled in compiled code over slices.

PCG64_MULT = 0x2360ED051FC65DA44385DF649FCCF645
"""The multiplier of numpy's PCG64 (PCG's 128-bit default)."""
_M64 = (1 << 64) - 1
_MULT_HI = np.uint64(PCG64_MULT >> 64)
_MULT_LO = np.uint64(PCG64_MULT & _M64)


@intrinsic
def _mulhi(typingctx, a, b):
    """High 64 bits of the 128-bit product of two uint64 (one ``mul`` on x86-64)."""
    sig = types.uint64(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        i128 = ir.IntType(128)
        prod = builder.mul(builder.zext(args[0], i128), builder.zext(args[1], i128))
        return builder.trunc(builder.lshr(prod, ir.Constant(i128, 64)), ir.IntType(64))

    return sig, codegen


@numba.njit(**_JIT)
def _pcg64_fill(
    lo: int,
    hi: int,
    state_hi: np.uint64,
    state_lo: np.uint64,
    inc_hi: np.uint64,
    inc_lo: np.uint64,
    out: np.ndarray,
) -> int:
    """Fill ``out[lo:hi]`` with float32 uniforms from PCG64 starting at the given state.

    Each 64-bit output (step the 128-bit LCG, then XSL-RR) gives two draws, its low then its
    high 32 bits, each as ``(x >> 8) * 2**-24``: numpy's ``Generator.random(dtype=float32)``.
    """
    m_hi = _MULT_HI
    m_lo = _MULT_LO
    s_hi = state_hi
    s_lo = state_lo
    scale = np.float32(1.0 / 16777216.0)
    i = U(lo)
    end = U(hi)
    while i < end:
        low = s_lo * m_lo
        new_lo = low + inc_lo
        carry = np.uint64(1) if new_lo < low else np.uint64(0)
        s_hi = _mulhi(s_lo, m_lo) + s_hi * m_lo + s_lo * m_hi + inc_hi + carry
        s_lo = new_lo
        x = s_hi ^ s_lo
        rot = s_hi >> np.uint64(58)
        v = (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63)))
        out[i] = np.float32((v & np.uint64(0xFFFFFFFF)) >> np.uint64(8)) * scale
        if i + U(1) < end:
            out[i + U(1)] = np.float32(v >> np.uint64(40)) * scale
        i += U(2)
    return 0


def _xsl_rr(state: int) -> int:
    """PCG64's output for a (stepped) 128-bit state."""
    x = ((state >> 64) ^ state) & _M64
    rot = state >> 122
    return ((x >> rot) | (x << ((64 - rot) & 63))) & _M64


def uniforms(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return ``rng.random(n, dtype=np.float32)``, the same numbers, drawn in slices in parallel.

    ``rng`` must be a PCG64 generator (every stream of :class:`districtsim.rng.Streams` is;
    another falls back to ``rng.random``). It is left exactly where ``rng.random`` would have
    left it, so later draws are unchanged. numpy fills the array one call per number (about
    2 ns each); here each slice jumps to its place in the stream (PCG64's ``advance``) and
    fills in compiled code.
    """
    bg = rng.bit_generator
    st = bg.state
    if st["bit_generator"] != "PCG64" or n == 0:
        return rng.random(n, dtype=np.float32)
    out = np.empty(n, dtype=np.float32)
    state, inc = st["state"]["state"], st["state"]["inc"]
    first = 0
    if st["has_uint32"]:  # the high half of an earlier 64-bit output comes first
        out[0] = np.float32(st["uinteger"] >> 8) * np.float32(1.0 / 16777216.0)
        first = 1
    m = n - first
    steps = (m + 1) // 2  # 64-bit outputs used
    parts = len(chunk_bounds(m)) - 1
    bounds = [first + min(m, 2 * (steps * j // parts)) for j in range(parts + 1)]
    jumper = np.random.PCG64()

    def state_after(k: int) -> int:
        if k == 0:
            return state
        jumper.state = {**st, "state": {"state": state, "inc": inc}}
        return jumper.advance(k).state["state"]["state"]

    u64 = np.uint64
    _run_slices(
        _pcg64_fill,
        [
            (lo, hi, u64(s >> 64), u64(s & _M64), u64(inc >> 64), u64(inc & _M64), out)
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
            for s in [state_after((lo - first) // 2)]
        ],
    )
    if m > 0:
        end = state_after(steps)
        # The last output's high half is kept (numpy's has_uint32), used or not.
        st = {**st, "state": {"state": end, "inc": inc}, "uinteger": _xsl_rr(end) >> 32}
    bg.state = {**st, "has_uint32": m % 2}
    return out
