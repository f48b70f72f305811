#!/bin/sh
# rapprochement-mensuel.sh : le rapprochement du mois, pour cron ou un minuteur systemd.
#
# Lance `chorus-recon reconcile` sur le dossier des extraits et range les sorties par mois
# dans le dossier des rapprochements :
#   rapprochement-AAAA-MM.xlsx   le classeur du mois
#   resume-AAAA-MM.json          le résumé JSON du mois ; le plus récent des mois
#                                précédents est passé en --previous (suivi des anomalies)
#   journal.log                  une ligne par exécution : date, mois, code, sens
# AAAA-MM est le mois de la date de situation (AS_OF, par défaut aujourd'hui). Relancer le
# même mois remplace ses fichiers et le compare toujours au mois d'avant.
#
# Réglages : les variables ci-dessous, à modifier ici ou à donner dans l'environnement
# (ligne de crontab, Environment= de systemd). Chemins absolus : cron ne part pas du
# dossier de l'utilisateur et son PATH est réduit.
#
# Code de sortie : celui de chorus-recon (0 rien à signaler, 1 anomalies à examiner,
# 2 rien n'a pu être fait, 3 une autre exécution tient le verrou : réessayer plus tard).
# En cas de code non nul, la ligne du journal est aussi écrite sur la sortie d'erreur :
# cron l'envoie par courriel (MAILTO), systemd la garde dans son journal.
set -eu

CHORUS_RECON=${CHORUS_RECON:-/usr/local/bin/chorus-recon}   # le binaire
EXTRAITS=${EXTRAITS:-/srv/cbcm/extraits}                     # les extraits Chorus du mois
SORTIES=${SORTIES:-/srv/cbcm/rapprochements}                 # hors du dossier des extraits
CONVENTION=${CONVENTION:-}         # fichier TOML ; vide : la convention intégrée
FAIL_ON=${FAIL_ON:-error}          # error, warning ou never : ce qui donne le code 1
AS_OF=${AS_OF:-$(date +%Y-%m-%d)}  # date de situation AAAA-MM-JJ

case $AS_OF in
[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
*)
    echo "rapprochement-mensuel : AS_OF doit être une date AAAA-MM-JJ, pas « $AS_OF »" >&2
    exit 2
    ;;
esac
MOIS=${AS_OF%-??}
classeur=$SORTIES/rapprochement-$MOIS.xlsx
resume=$SORTIES/resume-$MOIS.json
journal=$SORTIES/journal.log

umask 027
mkdir -p "$SORTIES"

# Le résumé précédent : le plus récent des mois antérieurs à MOIS (les noms datés se
# trient comme les dates).
precedent=
mois_num=$(printf '%s' "$MOIS" | tr -d -)
for f in "$SORTIES"/resume-[0-9][0-9][0-9][0-9]-[0-9][0-9].json; do
    [ -f "$f" ] || continue
    m=${f##*/resume-}
    m=$(printf '%s' "${m%.json}" | tr -d -)
    if [ "$m" -lt "$mois_num" ]; then
        precedent=$f
    fi
done

set -- reconcile "$EXTRAITS" --quiet --fail-on "$FAIL_ON" --as-of "$AS_OF" \
    --output "$classeur" --summary "$resume"
if [ -n "$CONVENTION" ]; then
    set -- "$@" --convention "$CONVENTION"
fi
if [ -n "$precedent" ]; then
    set -- "$@" --previous "$precedent"
    suivi="suivi de ${precedent##*/}"
else
    suivi="premier mois, sans résumé précédent"
fi

code=0
"$CHORUS_RECON" "$@" || code=$?

case $code in
0) sens="fait, aucune anomalie de niveau « $FAIL_ON » ou plus grave : ${classeur##*/} ($suivi)" ;;
1) sens="fait, des anomalies à examiner : ${classeur##*/} ($suivi)" ;;
2) sens="impossible (entrée, convention ou chemin refusé, voir le message de chorus-recon) : rien n'a été écrit" ;;
3) sens="une autre exécution tient le verrou : rien n'a été fait, réessayer plus tard" ;;
*) sens="interrompu ou en échec inattendu : les sorties précédentes sont intactes" ;;
esac
ligne="$(date '+%Y-%m-%d %H:%M:%S') rapprochement $MOIS : code $code, $sens"
echo "$ligne" >> "$journal"
if [ "$code" -ne 0 ]; then
    echo "$ligne" >&2
fi
exit "$code"
