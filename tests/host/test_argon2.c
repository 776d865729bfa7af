/* crypto/argon2.c against libargon2 (the reference implementation, Debian's
 * libargon2-1): Argon2i and Argon2id over passes, memory sizes (not multiples of
 * 4 * lanes, too), lanes, salt, password and tag lengths; plus parameter refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <argon2.h>
#include "crypto/argon2.h"
#include "tests/host/crypto_oracle.h"

static void check(enum argon2_type type, uint32_t t, uint32_t m, uint32_t p,
		  size_t pl, size_t sl, size_t ol, uint64_t *seed)
{
	struct argon2_params prm = { .type = type, .t_cost = t, .m_cost = m, .lanes = p };
	uint8_t pass[64], salt[64], ours[128], ref[128];
	uint64_t need = argon2_memory(&prm);
	void *mem = malloc(need);
	int rc;

	fill_random(pass, pl, seed);
	fill_random(salt, sl, seed);
	assert_int_equal(argon2_derive(&prm, pass, pl, salt, sl, ours, ol, mem, need), ARGON2_ERR_NONE);
	rc = type == ARGON2_I ? argon2i_hash_raw(t, m, p, pass, pl, salt, sl, ref, ol)
			      : argon2id_hash_raw(t, m, p, pass, pl, salt, sl, ref, ol);
	assert_int_equal(rc, ARGON2_OK);
	assert_memory_equal(ours, ref, ol);
	free(mem);
}

static void test_vs_libargon2(void **state)
{
	uint64_t seed = 11;

	(void)state;
	for (unsigned i = 0; i < 24; i++) {
		enum argon2_type ty = i % 2 ? ARGON2_ID : ARGON2_I;
		uint32_t p = 1 + i % 4, t = 1 + i % 3, m = 8 * p + 37 * i;

		check(ty, t, m, p, i * 5 % 64, 8 + i % 40, 4 + i * 7 % 120, &seed);
	}
	/* Larger than one address block per segment (128 blocks), several lanes. */
	check(ARGON2_ID, 2, 4096, 4, 16, 32, 32, &seed);
	check(ARGON2_I, 3, 2048, 1, 16, 32, 64, &seed);
}

static void test_refusals(void **state)
{
	struct argon2_params p = { .type = ARGON2_ID, .t_cost = 1, .m_cost = 64, .lanes = 4 };
	uint8_t out[32], mem[64];

	(void)state;
	assert_int_equal(argon2_derive(&p, NULL, 0, NULL, 0, out, 32, mem, sizeof(mem)), ARGON2_ERR_MEMORY);
	p.t_cost = 0;
	assert_int_equal(argon2_derive(&p, NULL, 0, NULL, 0, out, 32, mem, sizeof(mem)), ARGON2_ERR_PARAMS);
	p.t_cost = 1, p.m_cost = 31;
	assert_int_equal(argon2_derive(&p, NULL, 0, NULL, 0, out, 32, mem, sizeof(mem)), ARGON2_ERR_PARAMS);
	p.m_cost = 64, p.type = ARGON2_D;
	assert_int_equal(argon2_derive(&p, NULL, 0, NULL, 0, out, 32, mem, sizeof(mem)), ARGON2_ERR_PARAMS);
	assert_string_equal(argon2_strerror(ARGON2_ERR_MEMORY), "not enough memory for the Argon2 cost");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vs_libargon2),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
