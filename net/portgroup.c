// SPDX-License-Identifier: MIT
/* portgroup.c: the vSwitch port groups of the host settings (tv/vswitch.h). Pure. */
#include <tv/printf.h>
#include <tv/string.h>
#include <tv/vswitch.h>

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > VSW_PG_NAME_MAX || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (; *s; s++)
		if (!tv_isalnum(*s) && !strchr(" _-.", *s))
			return false;
	return true;
}

static bool vlan_parse(const char *s, u16 *out)
{
	unsigned v = 0;

	if (!*s || strlen(s) > 4)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > VSW_VLAN_TRUNK)
		return false;
	*out = (u16)v;
	return true;
}

const struct vsw_portgroup *vsw_portgroup_find(const struct vsw_portgroup *pg, unsigned n,
					       const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!tv_strcasecmp(pg[i].name, name))
			return &pg[i];
	return NULL;
}

unsigned vsw_portgroups_parse(const char *(*get)(void *ctx, const char *key), void *ctx,
			      struct vsw_portgroup pg[VSW_PORTGROUPS],
			      void (*report)(void *ctx, const char *msg))
{
	char key[32], msg[128];
	unsigned n = 0;
	bool any = false;

	for (unsigned i = 0; i < VSW_PORTGROUPS; i++) {
		const char *name, *vlan;
		u16 v = 0;

		snprintf(key, sizeof(key), "portgroup%u.name", i);
		name = get(ctx, key);
		snprintf(key, sizeof(key), "portgroup%u.vlanid", i);
		vlan = get(ctx, key);
		if (!name && !vlan)
			continue;
		any = true;
		if (!name) {
			snprintf(msg, sizeof(msg), "portgroup%u.vlanId without portgroup%u.name", i, i);
		} else if (!name_ok(name)) {
			snprintf(msg, sizeof(msg),
				 "portgroup%u.name \"%s\": 1 to %d letters, digits, spaces, _ - .", i,
				 name, VSW_PG_NAME_MAX);
		} else if (vlan && !vlan_parse(vlan, &v)) {
			snprintf(msg, sizeof(msg),
				 "portgroup%u.vlanId \"%s\" is not a VLAN ID from 0 to 4095", i, vlan);
		} else if (vsw_portgroup_find(pg, n, name)) {
			snprintf(msg, sizeof(msg), "portgroup%u.name \"%s\" is given twice", i, name);
		} else {
			tv_strlcpy(pg[n].name, name, sizeof(pg[n].name));
			pg[n++].vlan = v;
			continue;
		}
		report(ctx, msg);
	}
	if (!any) {
		tv_strlcpy(pg[0].name, VSW_PG_DEFAULT, sizeof(pg[0].name));
		pg[0].vlan = 0;
		n = 1;
	}
	return n;
}
